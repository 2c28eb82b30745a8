from django.urls import path

from uploads import views

urlpatterns = [
    path("", views.upload_collection, name="upload_collection"),
    path("try/", views.upload_try, name="upload_try"),
    path("<uuid:upload_id>/", views.upload_detail, name="upload_detail"),
]
