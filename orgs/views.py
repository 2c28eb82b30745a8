from django.http import HttpResponse


def org_tree(request, pk=None):
    return HttpResponse(status=501)


def org_detail(request, pk=None):
    return HttpResponse(status=501)


def org_edit(request, pk=None):
    return HttpResponse(status=501)


def org_add_child(request, pk=None):
    return HttpResponse(status=501)


def org_delete(request, pk=None):
    return HttpResponse(status=501)


def campus_list(request, pk=None):
    return HttpResponse(status=501)


def campus_edit(request, pk=None):
    return HttpResponse(status=501)
