from django.db.models import QuerySet

from haven.geo.models import City, District


def city_list() -> QuerySet[City]:
    return City.objects.select_related("region").order_by("name_en")


def city_get(*, slug: str) -> City | None:
    return City.objects.filter(slug=slug).first()


def district_list(*, city: City) -> QuerySet[District]:
    return District.objects.filter(city=city).order_by("name_en")
