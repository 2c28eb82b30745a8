from django.urls import path

from assessment import views

urlpatterns = [
    path("ratings/", views.phase_list, name="rating_phase_list"),
    path("ratings/phases/<int:pk>/", views.phase_ratings, name="rating_phase"),
    path("ratings/phases/<int:pk>/members/<int:member_pk>/", views.rate, name="rating_set"),
    path("members/<int:pk>/", views.participant, name="rating_participant"),
    path("appraisals/", views.appraisal_list, name="appraisal_list"),
    path("appraisals/<int:pk>/", views.appraisal, name="appraisal"),
    path("appraisals/<int:pk>/report/", views.report_upload, name="appraisal_report_upload"),
    path("appraisals/<int:pk>/report/file", views.report_download, name="appraisal_report"),
    path("appraisals/<int:pk>/result/", views.result_record, name="appraisal_result"),
]
