"""Shelter walk-ins (N3): "ask for a place here" holds places for an arrival window and
gives the seeker an arrival code; the shelter's desk checks the party in by that code.
Thin: the rules live in ``matching.services`` (shelter_hold_*, shelter_arrival_check_in)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from haven.accounts.types import AuthedRequest
from haven.aid import selectors as aid_selectors
from haven.aid.enums import NeedStatus
from haven.aid.forms import ArrivalCodeForm, ShelterHoldForm
from haven.core import clock
from haven.core.errors import HavenError
from haven.matching import selectors, services
from haven.privacy import services as privacy
from haven.privacy.enums import AccessKind


def _shelter_or_404(request: AuthedRequest, public_id: str) -> Any:
    offer = aid_selectors.offer_get_visible(viewer=request.user, public_id=public_id)
    if offer is None or not offer.is_shelter:
        raise Http404
    return offer


def _open_needs(request: AuthedRequest) -> list[Any]:
    return list(aid_selectors.needs_of(user=request.user).filter(status=NeedStatus.OPEN))


@login_required
def shelter_hold_new(request: AuthedRequest, public_id: str) -> HttpResponse:
    """The party and its arrival window; a request of the seeker's prefills the party
    (``?need=`` without JavaScript). A refusal changes nothing and says why."""
    offer = aid_selectors.offer_get_visible(viewer=request.user, public_id=public_id)
    if offer is None and aid_selectors.shelter_exists(public_id=public_id):
        messages.error(request, HavenError("shelter_not_open").message)
        return redirect("web:offer_list")
    if offer is None or not offer.is_shelter:
        raise Http404
    needs = _open_needs(request)
    by_id = {n.public_id: n for n in needs}
    if request.method == "POST":
        form = ShelterHoldForm(request.POST)
    else:
        chosen = by_id.get(request.GET.get("need", ""))
        initial = {}
        if chosen is not None:
            initial = {k: getattr(chosen, k) for k in ("adults", "children", "elderly", "pets")}
            initial["need"] = chosen.public_id
        form = ShelterHoldForm(initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        need = by_id.get(data["need"]) if data["need"] else None
        if data["need"] and need is None:
            form.add_error(None, HavenError("need_not_open").message)
            status = 409
        else:
            try:
                hold, _code = services.shelter_hold_create(
                    seeker=request.user, offer=offer, need=need, hours=data["hours"],
                    adults=data["adults"], children=data["children"], elderly=data["elderly"], pets=data["pets"],
                )  # fmt: skip
            except HavenError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(request, _("The places are held for you. Show this code at the desk."))
                return redirect("web:shelter_hold", public_id=hold.public_id)
    selectors.shelter_places(offers=[offer])
    context = {"offer": offer, "form": form, "needs": needs}
    return render(request, "web/shelter_hold_form.html", context, status=status)


@login_required
def shelter_hold(request: AuthedRequest, public_id: str) -> HttpResponse:
    """The seeker's own hold: the arrival code, the window, what to bring, the way."""
    hold = selectors.hold_get_own(viewer=request.user, public_id=public_id)
    if hold is None:
        raise Http404
    counting = hold.status == "active" and hold.expires_at > clock.now()
    code = services.hold_arrival_code(hold=hold) if counting else ""
    context = {"hold": hold, "offer": hold.offer, "code": code, "counting": counting}
    return render(request, "web/shelter_hold.html", context)


@login_required
@require_POST
def shelter_hold_cancel(request: AuthedRequest, public_id: str) -> HttpResponse:
    hold = selectors.hold_get_own(viewer=request.user, public_id=public_id)
    if hold is None:
        raise Http404
    try:
        services.shelter_hold_cancel(hold=hold, by=request.user)
    except HavenError as error:
        messages.error(request, error.message)
        return redirect("web:shelter_hold", public_id=hold.public_id)
    messages.success(request, _("Cancelled. The places are free for others again."))
    return redirect("web:offer_detail", public_id=hold.offer.public_id)


@login_required
@require_POST
def shelter_arrival(request: AuthedRequest, public_id: str) -> HttpResponse:
    """The desk checks a party in by its arrival code."""
    offer = _shelter_or_404(request, public_id)
    if not services.shelter_desk_allowed(user=request.user, offer=offer):
        raise Http404
    privacy.access_log_opened(request=request, kind=AccessKind.OFFER, public_id=offer.public_id)  # P7 read audit
    form = ArrivalCodeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the arrival code."))
        return redirect("web:offer_detail", public_id=offer.public_id)
    try:
        hold = services.shelter_arrival_check_in(offer=offer, by=request.user, code=form.cleaned_data["code"])
    except HavenError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            ngettext(
                "Checked in: %(name)s, %(count)d person.", "Checked in: %(name)s, %(count)d people.", hold.places
            )
            % {"name": hold.seeker.username, "count": hold.places},
        )
    return redirect("web:offer_detail", public_id=offer.public_id)
