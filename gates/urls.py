from django.urls import path

from gates import views

urlpatterns = [
    path("", views.gate_home, name="gate_home"),
    path("new/", views.gate_new, name="gate_new"),
    path("<int:pk>/edit/", views.gate_edit, name="gate_edit"),
    path("<int:pk>/keepers/", views.gate_keepers, name="gate_keepers"),
    path("keepers/<int:pk>/remove/", views.keeper_remove, name="keeper_remove"),
    path("<int:pk>/register/", views.gate_register, name="gate_register"),
    path("<int:pk>/people.json", views.gate_people, name="gate_people"),
    path("sw.js", views.gate_sw, name="gate_sw"),
    path("pass/", views.my_pass, name="my_pass"),
    path("pass/reissue/", views.my_pass_reissue, name="my_pass_reissue"),
    path("figures/", views.gate_figures, name="gate_figures"),
    path("figures/export.xlsx", views.gate_figures_export, name="gate_figures_export"),
    path("entries/", views.gate_entries, name="gate_entries"),
    path("import/", views.gate_import, name="gate_import"),
]
