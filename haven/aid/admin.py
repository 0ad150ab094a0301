"""The coordinator console (first cut): needs and offers of the coordinator's regions,
verification and freezing, and posting a need on behalf of someone without a phone."""

from typing import Any, cast

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import User
from haven.aid import services
from haven.aid.enums import NeedCloseReason, OfferStatus
from haven.aid.forms import NeedForm
from haven.aid.models import Need, Offer, ShelterMovement


def _region_scoped(request: HttpRequest, qs: QuerySet[Any]) -> QuerySet[Any]:
    user = cast(User, request.user)
    if user.is_superuser:
        return qs
    return qs.filter(city__region__in=user.regions.all())


class NeedAdminForm(NeedForm):
    """The site's own need form, plus a reference for the person it is posted for."""

    class Meta(NeedForm.Meta):
        fields = [*NeedForm.Meta.fields, "behalf_reference"]


@admin.register(Need)
class NeedAdmin(admin.ModelAdmin[Need]):
    form = NeedAdminForm
    list_display = ("public_id", "kind", "city", "people_count", "date_from", "date_to", "status", "on_behalf", "confirmed_at")
    list_filter = ("status", "kind", "on_behalf", "city__region", "city")
    search_fields = ("public_id", "notes", "behalf_reference")
    actions = ["close_not_needed"]
    list_select_related = ("city",)

    @admin.display(description=_("People"))
    def people_count(self, obj: Need) -> int:
        return obj.people

    def get_queryset(self, request: HttpRequest) -> QuerySet[Need]:
        return _region_scoped(request, super().get_queryset(request))

    def save_model(self, request: HttpRequest, obj: Need, form: Any, change: bool) -> None:
        # Through the services, like every other interface (N5: on behalf of someone).
        if change:
            services.need_update(need=obj, data=form.cleaned_data)
        else:
            created = services.need_create(
                owner=cast(User, request.user), data=form.cleaned_data, on_behalf=True,
                behalf_reference=form.cleaned_data.get("behalf_reference", ""),
            )
            obj.pk = created.pk

    @admin.action(description=_("Close: no longer needed"), permissions=["change"])
    def close_not_needed(self, request: HttpRequest, queryset: QuerySet[Need]) -> None:
        for need in queryset:
            services.need_close(need=need, reason=NeedCloseReason.NOT_NEEDED)
        self.message_user(request, _("Closed."), messages.SUCCESS)


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin[Offer]):
    list_display = ("title", "kind", "city", "capacity", "free_places", "price_per_night", "status", "owner_tier", "confirmed_at")
    list_filter = ("status", "kind", "host_kind", "owner__tier", "city__region", "city")
    search_fields = ("public_id", "title", "notes", "owner__username")
    readonly_fields = ("public_id", "owner", "kind", "free_places", "confirmed_at", "created_at")
    exclude = ("district",)
    actions = ["pause", "close"]
    list_select_related = ("city", "owner")

    @admin.display(description=_("Host verification"))
    def owner_tier(self, obj: Offer) -> str:
        return str(obj.owner.get_tier_display())

    def get_queryset(self, request: HttpRequest) -> QuerySet[Offer]:
        return _region_scoped(request, super().get_queryset(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Pause the selected offers"), permissions=["change"])
    def pause(self, request: HttpRequest, queryset: QuerySet[Offer]) -> None:
        for offer in queryset.filter(status=OfferStatus.ACTIVE):
            services.offer_set_status(offer=offer, status=OfferStatus.PAUSED)
        self.message_user(request, _("Paused."), messages.SUCCESS)

    @admin.action(description=_("Close the selected offers"), permissions=["change"])
    def close(self, request: HttpRequest, queryset: QuerySet[Offer]) -> None:
        for offer in queryset.exclude(status=OfferStatus.CLOSED):
            services.offer_set_status(offer=offer, status=OfferStatus.CLOSED)
        self.message_user(request, _("Closed."), messages.SUCCESS)


@admin.register(ShelterMovement)
class ShelterMovementAdmin(admin.ModelAdmin[ShelterMovement]):
    list_display = ("offer", "delta", "free_after", "by", "at")
    list_select_related = ("offer", "by")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ShelterMovement]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(offer__city__region__in=cast(User, request.user).regions.all())

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
