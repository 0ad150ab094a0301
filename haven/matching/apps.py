from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "haven.matching"
    label = "matching"
