"""The triage queue for abuse reports (P4), region-scoped like the rest of the console,
and the account freeze switched to the freeze-everywhere service.

Open urgent reports (a guest's "I am not safe" at a check-in) come first; each row
shows what was reported as it was when reported (the snapshot), whether the reported
account or the target has gone since, and whether the listing is hidden pending review."""

from typing import cast

from django.contrib import admin, messages
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import OrderBy
from django.db.models.fields.json import KT
from django.http import HttpRequest
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from haven.accounts.admin import UserAdmin
from haven.accounts.models import User
from haven.aid.enums import NeedKind, OfferKind
from haven.aid.models import Need, Offer
from haven.geo.models import City
from haven.matching.models import Proposal
from haven.safety import services
from haven.safety.enums import ListingKind, ReportPriority, ReportStatus, TargetKind
from haven.safety.models import Report


def _exists(model: type[Offer] | type[Need] | type[Proposal], ref: str, **extra: object) -> Exists:
    return Exists(model.objects.filter(public_id=OuterRef(ref), **extra))


def _city(field: str) -> Subquery:
    return Subquery(City.objects.filter(slug=OuterRef("snapshot_city")).values(field)[:1])


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin[Report]):
    list_display = (
        "priority", "created_at", "reason", "what_was_reported", "reported_account", "listing_state", "region", "status",
    )
    list_filter = ("status", "priority", "reason", "target_kind", "region")
    search_fields = ("public_id", "target_public_id", "listing_public_id", "subject_pseudonym")
    readonly_fields = (
        "public_id", "priority", "target_kind", "target_public_id", "what_was_reported", "subject", "reported_account",
        "listing_kind", "listing_public_id", "listing_state", "region", "reason", "note", "reporter", "status",
        "created_at", "handled_by", "handled_at",
    )
    exclude = ("snapshot", "subject_pseudonym")
    actions = ["freeze_subject", "mark_actioned", "dismiss", "show_listing_again"]
    list_select_related = ("subject", "region")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Report]:
        qs = super().get_queryset(request).annotate(
            listing_hidden=Case(
                When(listing_kind=ListingKind.OFFER, then=_exists(Offer, "listing_public_id", hidden_at__isnull=False)),
                When(listing_kind=ListingKind.NEED, then=_exists(Need, "listing_public_id", hidden_at__isnull=False)),
                default=Value(False), output_field=BooleanField(),
            ),
            target_present=Case(
                When(target_kind=TargetKind.OFFER, then=_exists(Offer, "target_public_id")),
                When(target_kind=TargetKind.NEED, then=_exists(Need, "target_public_id")),
                When(target_kind=TargetKind.PROPOSAL, then=_exists(Proposal, "target_public_id")),
                default=Value(True), output_field=BooleanField(),
            ),
            snapshot_city=KT("snapshot__city"),
        ).annotate(snapshot_city_en=_city("name_en"), snapshot_city_ru=_city("name_ru"))
        user = cast(User, request.user)
        if user.is_superuser:
            return qs
        # Reports about accounts carry no region; every coordinator may triage those.
        return qs.filter(Q(region__in=user.regions.all()) | Q(region__isnull=True))

    def get_ordering(self, request: HttpRequest) -> tuple[OrderBy | str, ...]:
        # Open urgent reports (check-in alerts) first, then the newest.
        open_urgent = Case(
            When(status=ReportStatus.OPEN, priority=ReportPriority.URGENT, then=Value(1)),
            default=Value(0), output_field=IntegerField(),
        )
        return (open_urgent.desc(), "-created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return bool(request.user.is_superuser)

    @admin.display(description=_("What was reported"))
    def what_was_reported(self, obj: Report) -> str:
        snap = obj.snapshot or {}
        kind = snap.get("kind", "")
        labels = dict(NeedKind.choices) if obj.target_kind == TargetKind.NEED else dict(OfferKind.choices)
        russian = (get_language() or "ru").startswith(("ru", "kk", "uk"))
        city = getattr(obj, "snapshot_city_ru" if russian else "snapshot_city_en", None) or snap.get("city", "")
        if kind:
            text = str(_("%(kind)s in %(city)s, %(start)s – %(end)s")) % {
                "kind": labels.get(kind, kind), "city": city,
                "start": snap.get("date_from", ""), "end": snap.get("date_to", ""),
            }
        else:
            text = f"{obj.get_target_kind_display()} {obj.target_public_id}"
        if not getattr(obj, "target_present", True):
            return str(_("%(target)s — no longer exists (erased or purged after the report)")) % {"target": text}
        return text

    @admin.display(description=_("Reported account"))
    def reported_account(self, obj: Report) -> str:
        pseudonym = obj.subject_pseudonym or (obj.subject.username if obj.subject else "")
        if obj.subject_id is None and pseudonym:
            return str(_("%(pseudonym)s (account erased after the report)")) % {"pseudonym": pseudonym}
        return pseudonym or "—"

    @admin.display(description=_("Listing"))
    def listing_state(self, obj: Report) -> str:
        if getattr(obj, "listing_hidden", False):
            return str(_("Hidden pending review"))
        return ""

    @admin.action(description=_("Freeze the reported accounts now"), permissions=["change"])
    def freeze_subject(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        frozen = sum(
            services.report_freeze_subject(report=report, by=cast(User, request.user))
            for report in queryset.select_related("subject")
        )
        self.message_user(
            request,
            ngettext("%(count)d account frozen.", "%(count)d accounts frozen.", frozen) % {"count": frozen},
            messages.WARNING,
        )

    @admin.action(description=_("Mark as handled"), permissions=["change"])
    def mark_actioned(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        for report in queryset:
            services.report_resolve(report=report, by=cast(User, request.user), status=ReportStatus.ACTIONED)
        self.message_user(request, _("Marked as handled."), messages.SUCCESS)

    @admin.action(description=_("Dismiss"), permissions=["change"])
    def dismiss(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        for report in queryset:
            services.report_resolve(report=report, by=cast(User, request.user), status=ReportStatus.DISMISSED)
        self.message_user(request, _("Dismissed."), messages.SUCCESS)

    @admin.action(description=_("Show the reported listings again"), permissions=["change"])
    def show_listing_again(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        shown = sum(
            services.listing_unhide(kind=r.listing_kind, public_id=r.listing_public_id, by=cast(User, request.user))
            for r in queryset.exclude(listing_kind="")
        )
        self.message_user(
            request,
            ngettext("%(count)d listing shown again.", "%(count)d listings shown again.", shown) % {"count": shown},
            messages.SUCCESS,
        )


class SafetyUserAdmin(UserAdmin):
    """The accounts console, with "freeze" doing it everywhere (proposals withdrawn too)."""

    @admin.action(description=_("Freeze the account now"), permissions=["change"])
    def freeze(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset.exclude(pk=cast(User, request.user).pk):
            services.account_freeze(user=user, by=cast(User, request.user), reason="frozen by a coordinator")
        self.message_user(request, _("Frozen."), messages.WARNING)


admin.site.unregister(User)
admin.site.register(User, SafetyUserAdmin)
