"""Proposal pages: choose, accept or decline, read the safety guidance, then see the
other side's contacts (logged); record the outcome. And the contacts settings page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_stubs_ext import StrOrPromise

from haven.accounts.models import User
from haven.accounts.types import AuthedRequest
from haven.aid import selectors as aid_selectors
from haven.core import clock, ratelimit
from haven.core.errors import HavenError
from haven.geo.models import Region
from haven.matching import selectors, services
from haven.matching.enums import EndReason
from haven.matching.models import Proposal
from haven.privacy import services as privacy
from haven.privacy.enums import AccessKind
from haven.privacy.forms import ContactsForm
from haven.safety import services as safety_services
from haven.safety.enums import TargetKind
from haven.web.redirects import safe_next


def _proposal_or_404(request: AuthedRequest, public_id: str) -> Proposal:
    proposal = selectors.proposal_get_visible(viewer=request.user, public_id=public_id)
    if proposal is None:
        raise Http404
    privacy.access_log_opened(request=request, kind=AccessKind.PROPOSAL, public_id=proposal.public_id)  # P7 read audit
    return proposal


@login_required
def proposal_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    proposal = _proposal_or_404(request, public_id)
    role = "seeker" if proposal.need.owner_id == request.user.pk else "host"
    if proposal.offer.owner_id != request.user.pk and proposal.need.owner_id != request.user.pk:
        role = "coordinator"
    return render(
        request, "web/proposal_detail.html",
        {"proposal": proposal, "role": role, "end_reasons": EndReason.choices, "region": proposal.need.city.region},
    )


DONE: dict[str, StrOrPromise] = {
    "pick": gettext_lazy("You chose this place. We have asked the host."),
    "decline": gettext_lazy("Declined. We will look for something else."),
    "accept": gettext_lazy("Accepted. You can now see each other's contacts."),
    "refuse": gettext_lazy("Declined. Thank you for answering."),
    "moved-in": gettext_lazy("Recorded: the guests have arrived."),
    "no-show": gettext_lazy("Recorded: the guests did not arrive."),
}


@login_required
@require_POST
def proposal_action(request: AuthedRequest, public_id: str, action: str) -> HttpResponse:
    proposal = _proposal_or_404(request, public_id)
    if action not in services.PROPOSAL_ACTIONS:
        raise Http404
    side = services.proposal_side(proposal=proposal, user=request.user)
    if action in services.COMMITTING_ACTIONS and side == services.PROPOSAL_ACTIONS[action][0]:
        if request.POST.get("via_desk") == "1":
            privacy.contacts_choose_desk(user=request.user)
        elif privacy.contacts_channel(user=request.user) == privacy.Channel.NONE and not proposal.lapsed_at_shelter(clock.now()):
            # Nobody could reach this person once both accept: say so before they commit.
            context = {
                "proposal": proposal, "action": action, "region": proposal.need.city.region,
                "add_url": _contacts_url(next_path=reverse("web:proposal_detail", args=[proposal.public_id])),
            }  # fmt: skip
            return render(request, "web/proposal_no_contacts.html", context)
    try:
        services.proposal_act(proposal=proposal, user=request.user, action=action)
        messages.success(request, str(DONE[action]))
    except HavenError as error:
        if error.code == "forbidden":
            raise Http404 from None
        messages.error(request, error.message)
    return redirect("web:proposal_detail", public_id=proposal.public_id)


@login_required
@require_POST
def proposal_end(request: AuthedRequest, public_id: str) -> HttpResponse:
    proposal = _proposal_or_404(request, public_id)
    if request.user.pk not in (proposal.need.owner_id, proposal.offer.owner_id):
        raise Http404
    try:
        services.proposal_end(proposal=proposal, reason=request.POST.get("reason", ""), by=request.user)
        messages.success(request, _("Recorded: the stay has ended. Thank you."))
    except HavenError as error:
        messages.error(request, error.message)
    return redirect("web:proposal_detail", public_id=proposal.public_id)


@login_required
@require_POST
def proposal_block(request: AuthedRequest, public_id: str) -> HttpResponse:
    """Block the other side of the proposal (P4); they are never told."""
    proposal = _proposal_or_404(request, public_id)
    if request.user.pk not in (proposal.need.owner_id, proposal.offer.owner_id):
        raise Http404
    try:
        safety_services.block_create(
            blocker=request.user, target_kind=TargetKind.PROPOSAL, target_public_id=proposal.public_id
        )
    except HavenError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Blocked. You will never be proposed to each other again, and they are not told."))
    return redirect("web:proposal_detail", public_id=proposal.public_id)


@login_required
def proposal_contacts(request: AuthedRequest, public_id: str) -> HttpResponse:
    """GET shows the safety guidance first (P8); POST reveals the contacts (logged)."""
    proposal = _proposal_or_404(request, public_id)
    if request.user.pk not in (proposal.need.owner_id, proposal.offer.owner_id):
        raise Http404
    contacts = None
    if request.method == "POST":
        try:
            ratelimit.limit("reveal", f"user:{request.user.pk}")
            contacts = services.proposal_contacts(proposal=proposal, viewer=request.user)
        except HavenError as error:
            messages.error(request, error.message)
            return redirect("web:proposal_detail", public_id=proposal.public_id)
    role = services.proposal_side(proposal=proposal, user=request.user)
    context = {"proposal": proposal, "contacts": contacts, "role": role, "region": proposal.need.city.region}
    response = render(request, "web/proposal_contacts.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _contacts_url(*, next_path: str) -> str:
    return reverse("web:my_contacts") + "?" + QueryDict.fromkeys(["next"], value=next_path).urlencode()


def _home_region(user: User, code: str | None) -> Region | None:
    """The region whose coordinator desk concerns this person: the one asked for, else
    that of their latest request or offer."""
    if code:
        region = Region.objects.filter(pk=code).first()
        if region is not None:
            return region
    latest: Any = aid_selectors.needs_of(user=user).select_related("city__region").first() or (
        aid_selectors.offers_of(user=user).select_related("city__region").first()
    )
    return latest.city.region if latest is not None else None


@login_required
def my_contacts(request: AuthedRequest) -> HttpResponse:
    """The person's own contacts (encrypted) and the choice of the coordinator desk
    instead. With ``next``: asked right after posting, or before answering a proposal;
    saving goes back there."""
    next_path = safe_next(request)
    current = privacy.contacts_get_own(user=request.user)
    form = ContactsForm(request.POST or None, initial={"phone": current.phone, "telegram": current.telegram, "email": current.email})
    if request.method == "POST" and form.is_valid():
        privacy.contacts_set(user=request.user, contacts=privacy.Contacts(**form.cleaned_data))
        messages.success(request, _("Saved. Your contacts are encrypted and shown only to people you both accepted."))
        return redirect(next_path or "web:my_contacts")
    context = {
        "form": form, "reveals": privacy.reveals_of(owner=request.user), "next": next_path,
        "channel": privacy.contacts_channel(user=request.user),
        "region": _home_region(request.user, request.GET.get("region")),
    }  # fmt: skip
    response = render(request, "web/my_contacts.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def contacts_desk(request: AuthedRequest) -> HttpResponse:
    """Choose (or stop choosing) to be reached through the region's coordinator desk."""
    via_desk = request.POST.get("via_desk") != "0"
    privacy.contacts_choose_desk(user=request.user, via_desk=via_desk)
    if via_desk:
        messages.success(request, _("Saved. The other side will be told to reach you through the coordinator desk."))
    else:
        messages.success(request, _("Saved."))
    return redirect(safe_next(request, request.POST.get("next", "")) or "web:my_contacts")
