"""Reference places for the forms' live district list (web/districts.js). Public data,
no login: the same names the select shows, in the page language's order."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from haven.geo.selectors import city_get, districts_by_name


@require_GET
def city_districts(request: HttpRequest) -> JsonResponse:
    """``?city=<slug>`` → ``{"districts": [[slug, name], ...]}``; an unknown city is a 404
    with an empty list, so the script simply leaves the select with its "—"."""
    city = city_get(slug=request.GET.get("city", "")[:60])
    districts = [[d.slug, str(d.name)] for d in districts_by_name(city=city)]
    return JsonResponse({"districts": districts}, status=200 if city else 404)
