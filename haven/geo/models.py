"""Reference geography: countries, regions, cities with districts, border checkpoints.

Loaded from ``haven/geo/data/geography.json`` (sources listed in the file). Names exist
in Russian and English; ``name`` picks the one for the active language.
"""

from django.db import models
from django.utils.translation import get_language


class Named(models.Model):
    name_en = models.CharField(max_length=120)
    name_ru = models.CharField(max_length=120)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_ru if (get_language() or "ru").startswith(("ru", "kk", "uk")) else self.name_en


class Country(Named):
    code = models.CharField(max_length=2, primary_key=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "countries"


def _russian() -> bool:
    return (get_language() or "ru").startswith(("ru", "kk", "uk"))


class Region(Named):
    code = models.CharField(max_length=10, primary_key=True)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="regions")
    # The region's help desk: an NGO's public desk (organisational info, never a person's),
    # where coordinators help people who left no contact of their own.
    desk_name_en = models.CharField(max_length=160, blank=True)
    desk_name_ru = models.CharField(max_length=160, blank=True)
    desk_address_en = models.CharField(max_length=200, blank=True)
    desk_address_ru = models.CharField(max_length=200, blank=True)
    desk_hours_en = models.CharField(max_length=120, blank=True)
    desk_hours_ru = models.CharField(max_length=120, blank=True)
    desk_phone = models.CharField(max_length=32, blank=True)
    desk_is_demo = models.BooleanField(default=False)  # invented for the demo scenario

    class Meta:
        ordering = ["name_en"]

    @property
    def has_desk(self) -> bool:
        return bool(self.desk_name_en or self.desk_name_ru)

    @property
    def desk_name(self) -> str:
        return self.desk_name_ru if _russian() else self.desk_name_en

    @property
    def desk_address(self) -> str:
        return self.desk_address_ru if _russian() else self.desk_address_en

    @property
    def desk_hours(self) -> str:
        return self.desk_hours_ru if _russian() else self.desk_hours_en


class City(Named):
    slug = models.SlugField(max_length=60, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="cities")
    lat = models.FloatField()
    lon = models.FloatField()

    class Meta:
        ordering = ["name_en"]
        verbose_name_plural = "cities"


class District(Named):
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="districts")
    slug = models.SlugField(max_length=60)

    class Meta:
        ordering = ["name_en"]
        constraints = [models.UniqueConstraint(fields=["city", "slug"], name="district_unique_slug")]


class Checkpoint(Named):
    class Type(models.TextChoices):
        ROAD = "road"
        RAIL = "rail"
        PEDESTRIAN = "pedestrian"
        AIR = "air"

    slug = models.SlugField(max_length=60, unique=True)
    counterpart_en = models.CharField(max_length=120, blank=True)
    counterpart_ru = models.CharField(max_length=120, blank=True)
    countries = models.ManyToManyField(Country, related_name="checkpoints")
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT)
    type = models.CharField(max_length=12, choices=Type.choices)
    modes = models.JSONField(default=list)
    directions = models.JSONField(default=list)
    lat = models.FloatField()
    lon = models.FloatField()
    official_url = models.URLField(blank=True)
    busy_2022 = models.BooleanField(default=False)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["name_en"]

    @property
    def counterpart(self) -> str:
        return self.counterpart_ru if (get_language() or "ru").startswith("ru") else self.counterpart_en
