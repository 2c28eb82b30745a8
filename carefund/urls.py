from django.urls import path

from carefund import views

urlpatterns = [
    path("", views.fund_list, name="care_fund_list"),
    path("new/", views.fund_new, name="care_fund_new"),
    path("summary/", views.summary, name="care_summary"),
    path("<int:pk>/", views.fund_detail, name="care_fund_detail"),
    path("<int:pk>/income/", views.income_new, name="care_income_new"),
    path("<int:pk>/payments/new/", views.payment_new, name="care_payment_new"),
    path("<int:pk>/export.xlsx", views.fund_export, name="care_fund_export"),
    path("payments/<int:pk>/", views.payment_detail, name="care_payment_detail"),
    path("payments/<int:pk>/approve/", views.payment_approve, name="care_payment_approve"),
    path("payments/<int:pk>/refuse/", views.payment_refuse, name="care_payment_refuse"),
    path("payments/<int:pk>/recipients.xlsx", views.payment_export, name="care_payment_export"),
    path("entries/<int:pk>/reverse/", views.entry_reverse, name="care_entry_reverse"),
]
