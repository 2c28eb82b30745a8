from django.urls import path

from ledger import views

urlpatterns = [
    path("", views.cadre_list, name="ledger_cadre_list"),
    path("cadres/<int:pk>/", views.cadre_ledger, name="ledger_cadre"),
    path("cadres/<int:pk>/new/", views.record_new, name="ledger_record_new"),
    path("cadres/<int:pk>/ledger.xlsx", views.export_xlsx, name="ledger_export_xlsx"),
    path("cadres/<int:pk>/ledger.docx", views.export_docx, name="ledger_export_docx"),
]
