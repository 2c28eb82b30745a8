from django.apps import AppConfig


class GatesConfig(AppConfig):
    name = "gates"
    verbose_name = "校门值守登记"
