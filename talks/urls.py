from django.urls import path

from talks import views

urlpatterns = [
    path("", views.talk_list, name="talk_list"),
    path("new/", views.talk_new, name="talk_new"),
    path("people/", views.talk_people, name="talk_people"),
    path("coverage/", views.talk_coverage, name="talk_coverage"),
    path("coverage/export.xlsx", views.talk_coverage_export, name="talk_coverage_export"),
    path("<int:pk>/", views.talk_detail, name="talk_detail"),
    path("<int:pk>/follow-up/", views.talk_follow_up, name="talk_follow_up"),
    path("members/<int:pk>/", views.member_talks, name="member_talks"),
    path("deliberations/", views.deliberation_list, name="deliberation_list"),
    path("deliberations/new/", views.deliberation_new, name="deliberation_new"),
    path("deliberations/<int:pk>/", views.deliberation_detail, name="deliberation_detail"),
    path("deliberations/<int:pk>/state/", views.deliberation_state, name="deliberation_state"),
]
