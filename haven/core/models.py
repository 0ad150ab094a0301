from typing import Any

from django.db import models

from haven.core.ids import PUBLIC_ID_LENGTH, new_public_id


class PublicIdField(models.CharField):  # type: ignore[type-arg]
    """A random, unique, URL-safe identifier used instead of the primary key outside."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", PUBLIC_ID_LENGTH)
        kwargs.setdefault("unique", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", new_public_id)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        for key, value in (("max_length", PUBLIC_ID_LENGTH), ("unique", True), ("editable", False)):
            if kwargs.get(key) == value:
                del kwargs[key]
        kwargs.pop("default", None)
        return name, path, args, kwargs


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
