from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "haven.privacy"
    label = "privacy"
