from django.urls import path

from members import import_views, views

urlpatterns = [
    path("", views.member_list, name="member_list"),
    path("export.xlsx", views.member_export, name="member_export"),
    path("new/", views.member_new, name="member_new"),
    path("<int:pk>/", views.member_detail, name="member_detail"),
    path("<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("<int:pk>/move/", views.member_move, name="member_move"),
    path("<int:pk>/status/", views.member_status, name="member_status"),
    path("<int:pk>/whereabouts/", views.member_whereabouts, name="member_whereabouts"),
    path("import/", import_views.import_upload, name="member_import"),
    path("import/template.xlsx", import_views.import_template, name="member_import_template"),
    path("import/<int:pk>/", import_views.import_preview, name="member_import_preview"),
    path("import/<int:pk>/apply/", import_views.import_apply, name="member_import_apply"),
    path("import/<int:pk>/errors.xlsx", import_views.import_errors, name="member_import_errors"),
]
