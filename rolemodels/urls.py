from django.urls import path

from rolemodels import views

urlpatterns = [
    path("", views.role_model_list, name="role_model_list"),
    path("new/", views.role_model_new, name="role_model_new"),
    path("<int:pk>/", views.role_model_detail, name="role_model_detail"),
    path("<int:pk>/approve/", views.role_model_approve, name="role_model_approve"),
    path("<int:pk>/return/", views.role_model_return, name="role_model_return"),
    path("<int:pk>/renominate/", views.role_model_renominate, name="role_model_renominate"),
    path("<int:pk>/report/", views.role_model_report, name="role_model_report"),
    path("files/<int:pk>/", views.role_model_file, name="role_model_file"),
]
