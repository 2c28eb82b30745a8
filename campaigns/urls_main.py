from django.urls import path

from campaigns import views

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("new/", views.campaign_new, name="campaign_new"),
    path("<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("<int:pk>/board/", views.campaign_board, name="campaign_board"),
    path("<int:pk>/deliverables/new/", views.deliverable_new, name="deliverable_new"),
    path("deliverables/<int:pk>/edit/", views.deliverable_edit, name="deliverable_edit"),
    path("deliverables/<int:pk>/summary/", views.deliverable_summary, name="deliverable_summary"),
    path("deliverables/<int:pk>/submit/", views.submission_new, name="submission_new"),
    path("submissions/", views.submission_list, name="submission_list"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission_detail"),
    path("submissions/<int:pk>/edit/", views.submission_edit, name="submission_edit"),
    path("submissions/<int:pk>/action/", views.submission_action, name="submission_action"),
    path("submissions/<int:pk>/review/", views.submission_review, name="submission_review"),
    path(
        "submissions/<int:pk>/transition/",
        views.submission_transition,
        name="submission_transition",
    ),
    path("files/<int:pk>/", views.submission_file, name="submission_file"),
    path("files/<int:pk>/delete/", views.submission_file_delete, name="submission_file_delete"),
    path("member-options/", views.member_options, name="campaign_member_options"),
]
