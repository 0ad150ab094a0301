from django.contrib import admin

from haven.geo.models import Checkpoint, City, Region


@admin.register(City)
class CityAdmin(admin.ModelAdmin[City]):
    list_display = ("name_en", "name_ru", "region", "lat", "lon")
    list_filter = ("region",)
    search_fields = ("name_en", "name_ru", "slug")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin[Region]):
    list_display = ("code", "name_en", "name_ru", "country")
    list_filter = ("country",)


@admin.register(Checkpoint)
class CheckpointAdmin(admin.ModelAdmin[Checkpoint]):
    list_display = ("name_en", "name_ru", "type", "region", "busy_2022")
    list_filter = ("type", "countries", "busy_2022")
    search_fields = ("name_en", "name_ru", "slug")
