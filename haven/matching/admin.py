"""Coordinator console for matching: runs with their certified gap, proposals of the
region with cancel, and a manual proposal (override) through the same service."""

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from haven.accounts.models import User
from haven.core.errors import HavenError
from haven.matching import services
from haven.matching.models import MatchRun, Proposal


@admin.register(MatchRun)
class MatchRunAdmin(admin.ModelAdmin[MatchRun]):
    list_display = ("started_at", "status", "trigger", "needs", "offers", "proposals", "people_housed", "gap_percent", "seconds", "method")
    list_filter = ("status", "trigger")
    readonly_fields = [f.name for f in MatchRun._meta.fields]
    actions = ["run_now"]

    @admin.display(description=_("Gap to the bound"))
    def gap_percent(self, obj: MatchRun) -> str:
        return f"{obj.gap:.2%}"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        # The action runs without a selection: "run the matcher now".
        if request.method == "POST" and request.POST.get("action") == "run_now" and not request.POST.getlist("_selected_action"):
            post = request.POST.copy()
            post.setlist("_selected_action", [str(MatchRun.objects.values_list("pk", flat=True).first() or 0)])
            request.POST = post  # type: ignore[assignment]
        return super().changelist_view(request, extra_context)

    @admin.action(description=_("Run the matcher now"), permissions=["view"])
    def run_now(self, request: HttpRequest, queryset: QuerySet[MatchRun]) -> None:
        run = services.matching_run(trigger="coordinator")
        if run is None:
            self.message_user(request, _("Another matcher is running; try again in a minute."), messages.WARNING)
        else:
            done = ngettext("Done: %(n)d new proposal.", "Done: %(n)d new proposals.", run.proposals)
            self.message_user(request, done % {"n": run.proposals}, messages.SUCCESS)


class ManualProposalForm(forms.ModelForm[Proposal]):
    class Meta:
        model = Proposal
        fields = ["need", "offer"]


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin[Proposal]):
    list_display = ("public_id", "need", "offer", "rank", "places", "status", "created_at")
    list_filter = ("status", "need__city__region", "need__city")
    search_fields = ("public_id", "need__public_id", "offer__public_id")
    list_select_related = ("need", "need__city", "offer")
    raw_id_fields = ("need", "offer")
    actions = ["cancel"]
    form = ManualProposalForm

    def get_queryset(self, request: HttpRequest) -> QuerySet[Proposal]:
        qs = super().get_queryset(request)
        user = cast(User, request.user)
        if user.is_superuser:
            return qs
        return qs.filter(need__city__region__in=user.regions.all())

    def get_readonly_fields(self, request: HttpRequest, obj: Proposal | None = None) -> Any:
        return [f.name for f in Proposal._meta.fields] if obj else []

    def save_model(self, request: HttpRequest, obj: Proposal, form: Any, change: bool) -> None:
        if change:
            return
        try:
            created = services.proposal_create_manual(
                coordinator=cast(User, request.user), need=form.cleaned_data["need"], offer=form.cleaned_data["offer"]
            )
        except HavenError as error:
            self.message_user(request, error.message, messages.ERROR)
            obj.pk = None
            return
        obj.pk = created.pk

    def response_add(self, request: HttpRequest, obj: Proposal, post_url_continue: str | None = None) -> HttpResponse:
        if obj.pk is None:
            return HttpResponseRedirect(reverse("admin:matching_proposal_add"))
        return super().response_add(request, obj, post_url_continue)

    @admin.action(description=_("Cancel the selected proposals"), permissions=["change"])
    def cancel(self, request: HttpRequest, queryset: QuerySet[Proposal]) -> None:
        done = 0
        for proposal in queryset:
            try:
                services.proposal_cancel(proposal=proposal, coordinator=cast(User, request.user))
                done += 1
            except HavenError:
                continue
        self.message_user(
            request, ngettext("%(n)d proposal cancelled.", "%(n)d proposals cancelled.", done) % {"n": done}, messages.SUCCESS
        )
