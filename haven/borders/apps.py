from django.apps import AppConfig


class BordersConfig(AppConfig):
    name = "haven.borders"
    label = "borders"
    default_auto_field = "django.db.models.BigAutoField"
