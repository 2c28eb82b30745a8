from django.urls import path

from meetings import compliance_views, views

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("queue/", views.meeting_queue, name="meeting_queue"),
    path("export.xlsx", views.meeting_export, name="meeting_export"),
    path("new/", views.meeting_new, name="meeting_new"),
    path("check-in/", views.meeting_check_in, name="meeting_check_in"),
    path("<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("<int:pk>/minutes.docx", views.meeting_minutes, name="meeting_minutes"),
    path("files/<int:pk>/", views.meeting_file, name="meeting_file"),
    path("<int:pk>/stories/new/", views.story_form, name="story_new"),
    path("<int:pk>/stories/<int:story_pk>/", views.story_form, name="story_edit"),
    path("<int:pk>/stories/compile/", views.stories_compile, name="stories_compile"),
    path("<int:pk>/submit/", views.meeting_submit, name="meeting_submit"),
    path("<int:pk>/approve/", views.meeting_approve, name="meeting_approve"),
    path("<int:pk>/return/", views.meeting_return, name="meeting_return"),
    path("committee/<int:pk>/", views.committee, name="committee"),
    path("groups/<int:pk>/", views.party_groups, name="party_groups"),
    path("stories/files/<int:pk>/", views.story_file, name="story_file"),
]

urlpatterns += [
    path("compliance/", compliance_views.compliance, name="compliance"),
    path("stats/", compliance_views.meeting_stats, name="meeting_stats"),
    path("compliance/rules/", compliance_views.compliance_rules, name="compliance_rules"),
    path(
        "compliance/branch/<int:pk>/",
        compliance_views.compliance_branch,
        name="compliance_branch",
    ),
    path(
        "compliance/branch/<int:pk>/exempt/",
        compliance_views.compliance_exempt,
        name="compliance_exempt",
    ),
]
