from django.apps import AppConfig


class TalksConfig(AppConfig):
    name = "talks"
    verbose_name = "谈心谈话与民主议事"
