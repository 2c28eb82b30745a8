from django.apps import AppConfig


class HonoursConfig(AppConfig):
    name = "honours"
    verbose_name = "表彰评比"
