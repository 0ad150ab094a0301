"""Haven's JSON API (django-ninja). OpenAPI docs at /api/docs."""

from haven.api.main import api

__all__ = ["api"]
