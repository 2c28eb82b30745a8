from django.urls import path

from honours import views

urlpatterns = [
    path("", views.round_list, name="honour_round_list"),
    path("new/", views.round_new, name="honour_round_new"),
    path("<int:pk>/", views.round_detail, name="honour_round_detail"),
    path("<int:pk>/nominate/", views.nominate, name="honour_nominate"),
    path("<int:pk>/quota/", views.quota_set, name="honour_quota_set"),
    path("<int:pk>/publicity/", views.publicity_start, name="honour_publicity_start"),
    path("<int:pk>/finalise/", views.round_finalise, name="honour_round_finalise"),
    path("<int:pk>/certificates.docx", views.certificates, name="honour_certificates"),
    path("nominations/<int:pk>/", views.nomination_detail, name="honour_nomination_detail"),
    path("nominations/<int:pk>/evidence/", views.evidence_add, name="honour_evidence_add"),
    path("nominations/<int:pk>/review/", views.review, name="honour_review"),
    path("nominations/<int:pk>/object/", views.objection_raise, name="honour_objection_raise"),
    path("objections/<int:pk>/handle/", views.objection_handle, name="honour_objection_handle"),
    path("members/<int:pk>/", views.member_honours, name="honour_member"),
    path("orgs/<int:pk>/", views.org_honours, name="honour_org"),
]
