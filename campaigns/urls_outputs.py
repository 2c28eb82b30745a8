from django.urls import path

from campaigns import library_views, outputs_views

urlpatterns = [
    path("library/", library_views.library, name="library"),
    path("library/<int:pk>/", library_views.library_detail, name="library_detail"),
    path("library/files/<int:pk>/", library_views.library_file, name="library_file"),
    path(
        "library/files/<int:pk>/download/",
        library_views.library_file_download,
        name="library_file_download",
    ),
    path("<int:pk>/outputs/", outputs_views.campaign_outputs, name="campaign_outputs"),
    path(
        "<int:pk>/outputs/casebook.docx",
        outputs_views.campaign_casebook,
        name="campaign_casebook",
    ),
    path("<int:pk>/outputs/package.zip", outputs_views.campaign_package, name="campaign_package"),
    path("package/import/", outputs_views.package_import, name="package_import"),
]
