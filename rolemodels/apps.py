from django.apps import AppConfig


class RolemodelsConfig(AppConfig):
    name = "rolemodels"
    verbose_name = "典型选树"
