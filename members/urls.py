from django.urls import path

from members import account_views, import_views, views

urlpatterns = [
    path("", views.member_list, name="member_list"),
    path("export.xlsx", views.member_export, name="member_export"),
    path("new/", views.member_new, name="member_new"),
    path("<int:pk>/", views.member_detail, name="member_detail"),
    path("<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("<int:pk>/move/", views.member_move, name="member_move"),
    path("<int:pk>/status/", views.member_status, name="member_status"),
    path("<int:pk>/whereabouts/", views.member_whereabouts, name="member_whereabouts"),
    path("accounts/", account_views.account_list, name="account_list"),
    path("accounts/create/", account_views.account_create, name="account_create"),
    path("accounts/reissue/", account_views.account_reissue, name="account_reissue"),
    path("<int:pk>/account/", account_views.member_account, name="member_account"),
    path(
        "<int:pk>/account/reset/",
        account_views.member_account_reset,
        name="member_account_reset",
    ),
    path(
        "<int:pk>/account/link/",
        account_views.member_account_link,
        name="member_account_link",
    ),
    path(
        "<int:pk>/account/deactivate/",
        account_views.member_account_deactivate,
        name="member_account_deactivate",
    ),
    path(
        "<int:pk>/account/activate/",
        account_views.member_account_activate,
        name="member_account_activate",
    ),
    path("import/", import_views.import_upload, name="member_import"),
    path("import/template.xlsx", import_views.import_template, name="member_import_template"),
    path("import/<int:pk>/", import_views.import_preview, name="member_import_preview"),
    path("import/<int:pk>/apply/", import_views.import_apply, name="member_import_apply"),
    path("import/<int:pk>/errors.xlsx", import_views.import_errors, name="member_import_errors"),
]
