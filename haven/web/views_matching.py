"""Proposal pages: choose, accept or decline, read the safety guidance, then see the
other side's contacts (logged); record the outcome. And the contacts settings page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_stubs_ext import StrOrPromise

from haven.accounts.types import AuthedRequest
from haven.core import ratelimit
from haven.core.errors import HavenError
from haven.matching import selectors, services
from haven.matching.enums import EndReason
from haven.matching.models import Proposal
from haven.privacy import services as privacy
from haven.privacy.enums import AccessKind
from haven.privacy.forms import ContactsForm
from haven.safety import services as safety_services
from haven.safety.enums import TargetKind


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
        {"proposal": proposal, "role": role, "end_reasons": EndReason.choices},
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
    response = render(request, "web/proposal_contacts.html", {"proposal": proposal, "contacts": contacts})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def my_contacts(request: AuthedRequest) -> HttpResponse:
    current = privacy.contacts_get_own(user=request.user)
    form = ContactsForm(request.POST or None, initial={"phone": current.phone, "telegram": current.telegram, "email": current.email})
    if request.method == "POST" and form.is_valid():
        privacy.contacts_set(user=request.user, contacts=privacy.Contacts(**form.cleaned_data))
        messages.success(request, _("Saved. Your contacts are encrypted and shown only to people you both accepted."))
        return redirect("web:my_contacts")
    response = render(request, "web/my_contacts.html", {"form": form, "reveals": privacy.reveals_of(owner=request.user)})
    response["Cache-Control"] = "no-store"
    return response
