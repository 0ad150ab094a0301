from django.db.models import QuerySet

from haven.geo.models import City, District
from haven.geo.names import by_name


def city_list() -> QuerySet[City]:
    return City.objects.select_related("region").order_by("name_en")


def city_get(*, slug: str) -> City | None:
    return City.objects.filter(slug=slug).first()


def district_list(*, city: City) -> QuerySet[District]:
    return District.objects.filter(city=city).order_by("name_en")


def districts_by_name(*, city: City | None) -> list[District]:
    """The districts of one city (none without a city), in the page language's order."""
    if city is None:
        return []
    return by_name(District.objects.filter(city=city))
