from django.http import HttpResponse


def member_list(request, pk=None):
    return HttpResponse(status=501)


def member_export(request, pk=None):
    return HttpResponse(status=501)


def member_new(request, pk=None):
    return HttpResponse(status=501)


def member_detail(request, pk=None):
    return HttpResponse(status=501)


def member_edit(request, pk=None):
    return HttpResponse(status=501)


def member_move(request, pk=None):
    return HttpResponse(status=501)


def member_status(request, pk=None):
    return HttpResponse(status=501)


def member_whereabouts(request, pk=None):
    return HttpResponse(status=501)
