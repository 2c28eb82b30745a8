from django.apps import AppConfig


class CarefundConfig(AppConfig):
    name = "carefund"
    verbose_name = "组织关爱"
