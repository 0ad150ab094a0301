"""Server-rendered pages. Thin: validate with a form, call a service or a selector,
render. Every core flow works without JavaScript."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from haven.accounts import services as account_services
from haven.accounts.enums import Role
from haven.accounts.forms import ApiTokenForm, DeleteMeForm
from haven.accounts.types import AuthedRequest
from haven.aid import selectors, services
from haven.aid.enums import OFFER_STATUS_ACTIONS
from haven.aid.forms import NeedCloseForm, NeedForm, OfferFilterForm, OfferForm, ShelterCountForm
from haven.core import ratelimit
from haven.core.errors import HavenError
from haven.core.listings import CACHE_SECONDS, listings_version
from haven.geo.models import City
from haven.geo.names import collation_key
from haven.matching import selectors as matching_selectors
from haven.privacy import services as privacy
from haven.privacy.enums import AccessKind
from haven.safety import services as safety_services
from haven.safety.enums import TargetKind
from haven.safety.forms import ReportForm
from haven.web.views_accounts import role_missing

PAGE_SIZE = 20


def _by_account(request: AuthedRequest) -> str:
    return f"user:{request.user.pk}"


def _listing_cache() -> dict[str, Any]:
    """What the templates key the shared listing fragments by: what everyone browsing
    sees is rendered once per filter, page and language every few seconds, and afresh
    after any change (haven.core.listings)."""
    return {"listings_version": listings_version(), "cache_seconds": CACHE_SECONDS}


def home(request: HttpRequest) -> HttpResponse:
    def busiest() -> list[City]:
        top = (
            City.objects.annotate(
                offer_count=Count("offers", filter=Q(offers__in=selectors.offer_browse()), distinct=True)
            )
            .filter(offer_count__gt=0)
            .order_by("-offer_count", "name_en")[:12]
        )
        return sorted(top, key=lambda city: (-getattr(city, "offer_count", 0), collation_key(str(city.name))))

    cities = SimpleLazyObject(busiest)  # lazy: read only when the cached fragment is stale
    return render(request, "web/home.html", {"cities": cities, **_listing_cache()})


def _with_shelter_places(offers: Any) -> list[Any]:
    rows = list(offers)
    matching_selectors.shelter_places(offers=rows)
    return rows


@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {
        "needs": selectors.needs_of(user=user),
        "offers": _with_shelter_places(selectors.offers_of(user=user)),
        "holds": matching_selectors.holds_of(user=user),
        "tokens": user.api_tokens.filter(revoked_at__isnull=True),
        "host_proposals": matching_selectors.proposals_for_host(user=user)[:50],
        "waiting": matching_selectors.waiting_for(user=user),
        # The Telegram item only where the bot can be opened by a link (bot:connect).
        "telegram_bot": bool(settings.TELEGRAM_BOT_USERNAME),
    }
    return render(request, "web/dashboard.html", context)


@login_required
@require_POST
def token_create(request: AuthedRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the token a name."))
        return redirect("web:dashboard")
    _token, raw = account_services.api_token_create(user=request.user, name=form.cleaned_data["name"])
    return render(request, "web/token_created.html", {"raw": raw})


def _need_or_404(request: AuthedRequest, public_id: str) -> Any:
    need = selectors.need_get_visible(viewer=request.user, public_id=public_id)
    if need is None:
        raise Http404
    privacy.access_log_opened(request=request, kind=AccessKind.NEED, public_id=need.public_id)  # P7 read audit
    return need


def _ask_for_a_channel(request: AuthedRequest, detail_url: str, region_code: str) -> HttpResponse:
    """After posting: someone nobody could reach is asked for a way to be reached (or the
    coordinator desk) first, then sent on to what they posted."""
    if request.user.is_coordinator or privacy.contacts_channel(user=request.user) != privacy.Channel.NONE:
        return redirect(detail_url)
    query = QueryDict(mutable=True)
    query.update({"next": detail_url, "region": region_code})
    return redirect(reverse("web:my_contacts") + "?" + query.urlencode())


@login_required
def need_new(request: AuthedRequest) -> HttpResponse:
    if not request.user.can_ask:
        return role_missing(request, Role.SEEKER)
    form = NeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ratelimit.limit("need", _by_account(request))
        except HavenError as error:
            form.add_error(None, error.message)
            return render(request, "web/need_form.html", {"form": form, "creating": True}, status=error.status)
        try:
            need = services.need_create(owner=request.user, data=form.cleaned_data)
        except HavenError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your request is posted. We will show you safe proposals."))
            return _ask_for_a_channel(request, reverse("web:need_detail", args=[need.public_id]), need.city.region_id)
    return render(request, "web/need_form.html", {"form": form, "creating": True})


@login_required
def need_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    need = _need_or_404(request, public_id)
    proposals = need.proposals.select_related("offer", "offer__city", "offer__district", "offer__owner")
    context = {
        "need": need,
        "close_form": NeedCloseForm(),
        "proposals": proposals,
        # A coordinator of the region may report it; nobody reports their own request.
        "can_report": need.owner_id != request.user.pk,
    }
    return render(request, "web/need_detail.html", context)


@login_required
def need_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    need = _need_or_404(request, public_id)
    form = NeedForm(request.POST or None, instance=need)
    if request.method == "POST" and form.is_valid():
        try:
            services.need_update(need=need, data=form.cleaned_data)
        except HavenError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("web:need_detail", public_id=need.public_id)
    return render(request, "web/need_form.html", {"form": form, "need": need})


@login_required
@require_POST
def need_close(request: AuthedRequest, public_id: str) -> HttpResponse:
    need = _need_or_404(request, public_id)
    form = NeedCloseForm(request.POST)
    if form.is_valid():
        services.need_close(need=need, reason=form.cleaned_data["reason"])
        messages.success(request, _("The request is closed."))
    else:
        messages.error(request, _("Choose why you are closing it."))
    return redirect("web:need_detail", public_id=need.public_id)


@login_required
@require_POST
def need_confirm(request: AuthedRequest, public_id: str) -> HttpResponse:
    need = _need_or_404(request, public_id)
    try:
        services.need_confirm(need=need)
        messages.success(request, _("Confirmed: your request stays active for another week."))
    except HavenError as error:
        messages.error(request, error.message)
    return redirect("web:need_detail", public_id=need.public_id)


def offer_list(request: HttpRequest) -> HttpResponse:
    form = OfferFilterForm(request.GET or None)
    try:
        ratelimit.limit("browse", account_services.address_key(request))
    except HavenError as error:
        # The page, with the message and no offers: nothing is listed past the limit.
        messages.error(request, error.message)
        page = Paginator(selectors.offer_browse().none(), PAGE_SIZE).get_page(1)
        # Nothing cached or served from the cache past the limit.
        context = {
            "form": form, "page": page, "query": "", "filters": "", "listings_version": -1, "cache_seconds": 0,
        }  # fmt: skip
        return render(request, "web/offer_list.html", context, status=error.status)
    offers = selectors.offer_browse()
    if form.is_bound and form.is_valid():
        offers = selectors.offer_browse(**form.cleaned_data)
    elif form.is_bound:
        offers = offers.none()
    page = Paginator(offers, PAGE_SIZE).get_page(request.GET.get("page"))
    matching_selectors.shelter_places(offers=page)  # free now and held, one query for the page
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form, "page": page, "query": query.urlencode(), "filters": request.GET.urlencode(),
        **_listing_cache(),
    }  # fmt: skip
    return render(request, "web/offer_list.html", context)


@login_required
@require_POST
def offer_block(request: AuthedRequest, public_id: str) -> HttpResponse:
    """Block the person behind an offer one can see (P4): the two are never proposed to
    each other again, open proposals between them that have not started are withdrawn,
    and they are not told."""
    offer = selectors.offer_get_visible(viewer=request.user, public_id=public_id)
    if offer is None or offer.owner_id == request.user.pk:
        raise Http404
    try:
        safety_services.block_create(
            blocker=request.user, target_kind=TargetKind.OFFER, target_public_id=offer.public_id
        )
    except HavenError as error:
        messages.error(request, error.message)
        return redirect("web:offer_detail", public_id=offer.public_id)
    messages.success(request, _("Blocked. You will never be proposed to each other again, and they are not told."))
    return redirect("web:offer_list")


def offer_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return offer_public(request, public_id)
    offer = selectors.offer_get_visible(viewer=request.user, public_id=public_id)
    if offer is None:
        raise Http404
    can_edit = selectors.offer_get_editable(user=request.user, public_id=public_id) is not None
    context: dict[str, Any] = {"offer": offer, "can_edit": can_edit, "count_form": ShelterCountForm()}
    if offer.is_shelter:  # free now vs held for arrivals; the desk; the seeker's own hold
        matching_selectors.shelter_places(offers=[offer])
        context["arrivals"] = matching_selectors.arrivals_expected(viewer=request.user, offer=offer)
        if context["arrivals"] is not None and offer.owner_id != request.user.pk:
            privacy.access_log_opened(request=request, kind=AccessKind.OFFER, public_id=offer.public_id)
        context["my_hold"] = matching_selectors.hold_active_of(seeker=request.user, offer=offer)
        context["can_ask"] = Role.SEEKER in request.user.roles and context["my_hold"] is None
    return render(request, "web/offer_detail.html", context)


def offer_public(request: HttpRequest, public_id: str) -> HttpResponse:
    """What an anonymous visitor sees of a listed offer (the list's facts) and how to ask
    for it. Anything not listed goes to the login page, as before, so nobody learns
    whether it exists; rate-limited like the list."""
    try:
        ratelimit.limit("browse", account_services.address_key(request))
    except HavenError as error:
        messages.error(request, error.message)
        return render(request, "web/offer_public.html", {"offer": None}, status=error.status)
    offer = selectors.offer_get_public(public_id=public_id)
    if offer is None:
        return redirect_to_login(request.get_full_path())
    matching_selectors.shelter_places(offers=[offer])  # free now vs held, as everywhere
    return render(request, "web/offer_public.html", {"offer": offer, "here": request.path})


def _editable_offer_or_404(request: AuthedRequest, public_id: str) -> Any:
    offer = selectors.offer_get_editable(user=request.user, public_id=public_id)
    if offer is None:
        raise Http404
    return offer


@login_required
def offer_new(request: AuthedRequest) -> HttpResponse:
    if not request.user.can_offer:
        return role_missing(request, Role.HOST)
    form = OfferForm(request.POST or None, role=request.user.offer_role)
    if request.method == "POST" and form.is_valid():
        try:
            ratelimit.limit("offer", _by_account(request))
        except HavenError as error:
            form.add_error(None, error.message)
            return render(request, "web/offer_form.html", {"form": form, "creating": True}, status=error.status)
        try:
            offer = services.offer_create(owner=request.user, data=form.cleaned_data)
        except HavenError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your offer is published. Thank you."))
            return _ask_for_a_channel(request, reverse("web:offer_detail", args=[offer.public_id]), offer.city.region_id)
    return render(request, "web/offer_form.html", {"form": form, "creating": True})


@login_required
def offer_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    offer = _editable_offer_or_404(request, public_id)
    form = OfferForm(request.POST or None, instance=offer, role=offer.owner.offer_role)
    form.fields["kind"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_update(offer=offer, data=form.cleaned_data)
        except HavenError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("web:offer_detail", public_id=offer.public_id)
    return render(request, "web/offer_form.html", {"form": form, "offer": offer})



@login_required
@require_POST
def offer_status(request: AuthedRequest, public_id: str, action: str) -> HttpResponse:
    offer = _editable_offer_or_404(request, public_id)
    if action not in OFFER_STATUS_ACTIONS:
        raise Http404
    try:
        services.offer_set_status(offer=offer, status=OFFER_STATUS_ACTIONS[action])
        messages.success(request, _("Saved."))
    except HavenError as error:
        messages.error(request, error.message)
    return redirect("web:offer_detail", public_id=offer.public_id)


@login_required
@require_POST
def offer_confirm(request: AuthedRequest, public_id: str) -> HttpResponse:
    offer = _editable_offer_or_404(request, public_id)
    try:
        services.offer_confirm(offer=offer)
        messages.success(request, _("Confirmed: your offer stays listed for another week."))
    except HavenError as error:
        messages.error(request, error.message)
    return redirect("web:offer_detail", public_id=offer.public_id)


@login_required
@require_POST
def shelter_move(request: AuthedRequest, public_id: str, direction: str) -> HttpResponse:
    offer = _editable_offer_or_404(request, public_id)
    form = ShelterCountForm(request.POST)
    if direction not in ("in", "out"):
        raise Http404
    if not form.is_valid():
        messages.error(request, _("Enter how many people, from 1."))
        return redirect("web:offer_detail", public_id=offer.public_id)
    move = services.shelter_check_in if direction == "in" else services.shelter_check_out
    try:
        free = move(offer=offer, by=request.user, count=form.cleaned_data["count"])
    except HavenError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Done. Free places now: %(free)d.") % {"free": free})
    return redirect("web:offer_detail", public_id=offer.public_id)


# ---------------------------------------------------------------- safety (P4, P5, P7)

@login_required
def delete_me(request: AuthedRequest) -> HttpResponse:
    """"Delete my data now": asks for the password, then erases the person everywhere."""
    form = DeleteMeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_services.user_confirm_password(
                user=request.user,
                password=form.cleaned_data["password"],
                address=account_services.client_address(request),
            )
            safety_services.person_erase(user=request.user)
        except HavenError as error:
            form.add_error("password" if error.code == "wrong_password" else None, error.message)
        else:
            logout(request)
            messages.success(request, _("Your account and everything you posted are deleted."))
            return redirect("web:home")
    return render(request, "web/delete_me.html", {"form": form})


# Where the report form sends the person back to, per kind of target.
REPORT_BACK = {
    TargetKind.OFFER: "web:offer_detail",
    TargetKind.NEED: "web:need_detail",
    TargetKind.PROPOSAL: "web:proposal_detail",
}


@login_required
def report_new(request: AuthedRequest, public_id: str, target_kind: str) -> HttpResponse:
    """Report an offer, a request or a proposal to the coordinators of its region (P4).
    Something the person cannot see is a 404, as everywhere else."""
    try:
        safety_services.report_target(kind=target_kind, public_id=public_id, reporter=request.user)
    except HavenError:
        raise Http404 from None
    back = reverse(REPORT_BACK[TargetKind(target_kind)], args=[public_id])
    return report_page(request, target_kind=target_kind, public_id=public_id, back=back)


def report_page(request: AuthedRequest, *, target_kind: str, public_id: str, back: str) -> HttpResponse:
    """The report form and its submission through ``safety.services.report_submit``.
    The caller has already checked that the person may see the target."""
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            safety_services.report_submit(
                reporter=request.user, target_kind=target_kind, target_public_id=public_id,
                reason=form.cleaned_data["reason"], note=form.cleaned_data["note"],
            )
        except HavenError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("Thank you. A coordinator will look at it; nobody is told who sent the report.")
            )
            return redirect(back)
    context = {"form": form, "back": back, "target_kind": target_kind, "target_label": TargetKind(target_kind).label}
    return render(request, "web/report_form.html", context)
