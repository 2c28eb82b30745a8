from django.urls import path

from escalations import views

urlpatterns = [
    path("", views.escalation_list, name="escalation_list"),
    path("new/", views.escalation_new, name="escalation_new"),
    path("<int:pk>/", views.escalation_detail, name="escalation_detail"),
    path("<int:pk>/acknowledge/", views.escalation_acknowledge, name="escalation_acknowledge"),
    path("<int:pk>/handle/", views.escalation_handle, name="escalation_handle"),
    path("<int:pk>/reply/", views.escalation_reply, name="escalation_reply"),
    path("files/<int:pk>/", views.escalation_file, name="escalation_file"),
]
