from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "haven.geo"
    label = "geo"
