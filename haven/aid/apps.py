from django.apps import AppConfig


class AidConfig(AppConfig):
    name = "haven.aid"
    label = "aid"
