from django.urls import path

from development import views

urlpatterns = [
    path("", views.candidate_list, name="candidate_list"),
    path("due/", views.candidate_due, name="candidate_due"),
    path("new/", views.candidate_new, name="candidate_new"),
    path("rules/", views.interval_rules, name="interval_rules"),
    path("export.xlsx", views.candidate_export, name="candidate_export"),
    path("<int:pk>/", views.candidate_detail, name="candidate_detail"),
    path("<int:pk>/details/", views.candidate_details, name="candidate_details"),
    path("<int:pk>/advance/", views.candidate_advance, name="candidate_advance"),
    path("<int:pk>/publicity/", views.candidate_publicity, name="candidate_publicity"),
    path("<int:pk>/objection/", views.candidate_objection, name="candidate_objection"),
    path("<int:pk>/evidence/", views.candidate_evidence, name="candidate_evidence"),
    path("files/<int:pk>/", views.evidence_file, name="evidence_file"),
]
