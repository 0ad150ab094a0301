"""Telegram updates in, Bot API calls out.

``parse`` reads an update strictly into ``Incoming`` (anything unexpected becomes
kind "other" and is ignored); ``handle`` decides what to say and calls the domain
services; ``process`` does both exactly once per update_id and then delivers the
replies. Both the webhook view and the polling loop call ``process``.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from haven.accounts.enums import Role
from haven.accounts.models import User
from haven.aid import selectors as aid_selectors
from haven.aid import services as aid_services
from haven.aid.enums import HostPreference, NeedKind, OfferKind, OfferStatus
from haven.aid.forms import NeedForm
from haven.aid.models import Offer
from haven.borders import selectors as border_selectors
from haven.borders import services as border_services
from haven.borders.enums import Mode
from haven.borders.forms import JoinForm, direction_labels, reportable_modes
from haven.bot import services, texts
from haven.bot.models import Conversation, SafetyCheckIn, TelegramLink
from haven.bot.texts import Buttons, button
from haven.bot.transport import TelegramError, Transport
from haven.core.errors import HavenError
from haven.geo.models import Checkpoint, City
from haven.matching import selectors as matching_selectors
from haven.matching import services as matching_services
from haven.matching.enums import ProposalStatus

log = logging.getLogger(__name__)

MAX_TEXT = 1000  # longer messages are refused, not truncated
OPEN_STATUSES = (
    ProposalStatus.PROPOSED,
    ProposalStatus.SEEKER_ACCEPTED,
    ProposalStatus.ACCEPTED,
    ProposalStatus.MOVED_IN,
)
SHOWN_PROPOSALS = 10


# ---------------------------------------------------------------- parsing


@dataclass(frozen=True)
class Incoming:
    update_id: int
    kind: str  # "message", "edited", "callback" or "other" (ignored)
    user_id: int | None = None
    chat_id: int | None = None
    private: bool = False
    text: str | None = None
    language_code: str = ""
    callback_id: str = ""
    data: str = ""
    message_id: int | None = None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _message_fields(message: Any) -> dict[str, Any] | None:
    if not isinstance(message, dict):
        return None
    chat, sender = message.get("chat"), message.get("from")
    if (
        not isinstance(chat, dict)
        or _int(chat.get("id")) is None
        or _int(message.get("message_id")) is None
    ):
        return None
    fields: dict[str, Any] = {
        "chat_id": chat["id"],
        "private": chat.get("type") == "private",
        "message_id": message["message_id"],
        "text": _str(message.get("text")),
    }
    if isinstance(sender, dict) and _int(sender.get("id")) is not None:
        fields["user_id"] = sender["id"]
        fields["language_code"] = _str(sender.get("language_code")) or ""
    return fields


def parse(payload: Any) -> Incoming | None:
    """None for something that is not an update at all (no integer update_id);
    otherwise an Incoming, of kind "other" when it is nothing the bot answers."""
    if not isinstance(payload, dict):
        return None
    update_id = _int(payload.get("update_id"))
    if update_id is None:
        return None
    other = Incoming(update_id=update_id, kind="other")
    for key, kind in (("message", "message"), ("edited_message", "edited")):
        if key in payload:
            fields = _message_fields(payload[key])
            return (
                other
                if fields is None or "user_id" not in fields
                else Incoming(update_id=update_id, kind=kind, **fields)
            )
    query = payload.get("callback_query")
    if isinstance(query, dict):
        sender, message = query.get("from"), query.get("message")
        fields = _message_fields(message)
        if (
            _str(query.get("id")) is None
            or not isinstance(sender, dict)
            or _int(sender.get("id")) is None
            or fields is None
        ):
            return other
        return Incoming(
            update_id=update_id,
            kind="callback",
            user_id=sender["id"],
            chat_id=fields["chat_id"],
            private=fields["private"],
            language_code=_str(sender.get("language_code")) or "",
            callback_id=query["id"],
            data=(_str(query.get("data")) or "")[:64],
            message_id=fields["message_id"],
        )
    return other


# ---------------------------------------------------------------- replies


@dataclass
class Out:
    method: str  # "send", "edit" or "answer"
    kwargs: dict[str, Any]


@dataclass
class Ctx:
    incoming: Incoming
    link: TelegramLink | None
    out: list[Out] = field(default_factory=list)
    answered: bool = False

    @property
    def user(self) -> User:
        assert self.link is not None  # noqa: S101
        assert self.link.user is not None  # noqa: S101
        return self.link.user

    def say(self, text: str, buttons: Buttons | None = None) -> None:
        assert self.incoming.chat_id is not None  # noqa: S101
        self.out.append(
            Out("send", {"chat_id": self.incoming.chat_id, "text": text[:4096], "buttons": buttons})
        )

    def edit(self, text: str, buttons: Buttons | None = None) -> None:
        if self.incoming.message_id is None or self.incoming.chat_id is None:
            self.say(text, buttons)
            return
        self.out.append(
            Out(
                "edit",
                {
                    "chat_id": self.incoming.chat_id,
                    "message_id": self.incoming.message_id,
                    "text": text[:4096],
                    "buttons": buttons,
                },
            )
        )

    def toast(self, text: str = "") -> None:
        if self.incoming.kind == "callback" and not self.answered:
            self.answered = True
            self.out.append(
                Out("answer", {"callback_query_id": self.incoming.callback_id, "text": text[:200]})
            )


def _guess_language(code: str) -> str:
    return "en" if code.lower().startswith("en") else "ru"


def _stale(ctx: Ctx) -> None:
    ctx.toast(_("This button is out of date."))


def _please_start(ctx: Ctx) -> None:
    if ctx.incoming.kind == "callback":
        ctx.toast(_("Please send /start to begin."))
    else:
        ctx.say(_("Please send /start to begin."))


def _validation_text(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


# ---------------------------------------------------------------- entry points


def handle(incoming: Incoming) -> list[Out]:
    """Decide what to do with one update; domain writes happen through the services.
    A HavenError rolls back this update's writes and is answered with its message."""
    if (
        incoming.kind == "other"
        or not incoming.private
        or incoming.user_id is None
        or incoming.chat_id is None
    ):
        return []  # groups, channels, service updates: never answered
    link = services.link_get(telegram_user_id=incoming.user_id)
    language = link.language if link is not None else _guess_language(incoming.language_code)
    ctx = Ctx(incoming=incoming, link=link)
    with translation.override(language):
        try:
            with transaction.atomic():
                _dispatch(ctx)
        except HavenError as error:
            ctx.out = [o for o in ctx.out if o.method == "answer"]
            if incoming.kind == "callback":
                ctx.toast(error.message)
            ctx.say(error.message)
        ctx.toast()
    return ctx.out


def deliver(outs: list[Out], transport: Transport | None) -> None:
    if transport is None:
        return
    for out in outs:
        try:
            if out.method == "send":
                transport.send_message(**out.kwargs)
            elif out.method == "edit":
                transport.edit_message_text(**out.kwargs)
            else:
                transport.answer_callback_query(**out.kwargs)
        except TelegramError as error:
            log.warning("telegram %s failed: %s", out.method, error.status)


def process(payload: Any, *, transport: Transport | None) -> bool:
    """Handle one update exactly once (its update_id is claimed in the same transaction
    as its effects) and deliver the replies after the commit. Returns whether it did
    anything; never raises for bad input."""
    incoming = parse(payload)
    if incoming is None:
        return False
    try:
        with transaction.atomic():
            if not services.update_claim(update_id=incoming.update_id):
                return False
            outs = handle(incoming)
    except Exception:  # a bug must not turn into Telegram re-sending the update forever
        log.exception("telegram update %s failed", incoming.update_id)
        return False
    deliver(outs, transport)
    return True


def poll_once(transport: Transport, *, offset: int | None, timeout: int = 25) -> int | None:
    """One getUpdates round (development). Returns the next offset."""
    for payload in transport.get_updates(offset=offset, timeout=timeout):
        update_id = _int(payload.get("update_id")) if isinstance(payload, dict) else None
        process(payload, transport=transport)
        if update_id is not None:
            offset = max(offset or 0, update_id + 1)
    return offset


# ---------------------------------------------------------------- dispatch


def _dispatch(ctx: Ctx) -> None:
    inc = ctx.incoming
    if ctx.link is not None and ctx.link.user is not None and ctx.link.user.is_frozen:
        raise HavenError("account_frozen")  # as the web logs a frozen account out
    if inc.kind == "edited":
        ctx.say(_("I do not read edited messages. Please send a new message instead."))
        return
    if inc.kind == "callback":
        _callback(ctx)
        return
    if inc.text is None:
        ctx.say(_("I can read only text messages and buttons."))
        return
    text = inc.text.strip()
    if len(text) > MAX_TEXT:
        ctx.say(
            ngettext(
                "This message is too long. Please keep it under %(limit)d character.",
                "This message is too long. Please keep it under %(limit)d characters.",
                MAX_TEXT,
            )
            % {"limit": MAX_TEXT}
        )
        return
    if text.startswith("/"):
        _command(ctx, text)
        return
    if ctx.link is None or ctx.link.user is None:
        _please_start(ctx)
        return
    conversation = services.conversation_get(link=ctx.link)
    if conversation.flow == "need":
        _need_text(ctx, conversation, text)
        return
    ctx.say(_("I did not understand that. Please use the buttons or send /help."))


def _command(ctx: Ctx, text: str) -> None:
    head, _sep, arg = text.partition(" ")
    name = head[1:].split("@", 1)[0].lower()
    if name == "start":
        _start(ctx, arg.strip())
        return
    if ctx.link is None or ctx.link.user is None:
        _please_start(ctx)
        return
    commands = {
        "help": lambda: ctx.say(texts.help_text()),
        "menu": lambda: _menu(ctx),
        "need": lambda: _need_start(ctx),
        "proposals": lambda: _proposals(ctx),
        "border": lambda: _checkpoints(ctx, "cp"),
        "board": lambda: _checkpoints(ctx, "show"),
        "shelter": lambda: _shelters(ctx),
        "language": lambda: ctx.say(_("Choose your language:"), texts.language_buttons()),
        "safety": lambda: ctx.say(texts.safety_guidance()),
        "cancel": lambda: _cancel(ctx),
    }
    action = commands.get(name)
    if action is None:
        ctx.say(_("I do not know this command. Send /help to see what I can do."))
        return
    action()


def _menu(ctx: Ctx) -> None:
    ctx.say(_("What would you like to do?"), texts.menu_buttons(ctx.user.role))


def _cancel(ctx: Ctx) -> None:
    assert ctx.link is not None  # noqa: S101
    services.conversation_clear(conversation=services.conversation_get(link=ctx.link))
    ctx.say(_("Stopped. Send /help to see what I can do."))


def _start(ctx: Ctx, arg: str) -> None:
    inc = ctx.incoming
    assert inc.user_id is not None  # noqa: S101
    assert inc.chat_id is not None  # noqa: S101
    link = services.link_get_or_create(
        telegram_user_id=inc.user_id,
        chat_id=inc.chat_id,
        language=_guess_language(inc.language_code),
    )
    ctx.link = link
    if arg:
        user = services.link_connect(link=link, raw=arg[:64]) if len(arg) <= 64 else None
        if user is None:
            ctx.say(_("This link is not valid any more. Ask for a new one on the Haven site."))
            return
        ctx.say(
            _("This Telegram account is now connected to your Haven account %(pseudonym)s.")
            % {"pseudonym": user.username}
        )
        _menu(ctx)
        return
    if link.user is not None:
        ctx.say(texts.welcome())
        _menu(ctx)
        return
    ctx.say(_("Choose your language:"), texts.language_buttons())


def _callback(ctx: Ctx) -> None:
    prefix, _sep, rest = ctx.incoming.data.partition(":")
    if prefix == "l":
        _language(ctx, rest)
        return
    if ctx.link is None:
        _please_start(ctx)
        return
    if prefix == "a":
        _account(ctx, rest)
        return
    if ctx.link.user is None:
        _please_start(ctx)
        return
    handlers = {
        "m": _menu_choice,
        "n": _need_callback,
        "p": _proposal_callback,
        "b": _border_callback,
        "s": _shelter_callback,
        "c": _checkin_callback,
    }
    handler = handlers.get(prefix)
    if handler is None:
        _stale(ctx)
        return
    handler(ctx, rest)


def _language(ctx: Ctx, code: str) -> None:
    if code not in services.LANGUAGES:
        _stale(ctx)
        return
    inc = ctx.incoming
    assert inc.user_id is not None  # noqa: S101
    assert inc.chat_id is not None  # noqa: S101
    link = ctx.link or services.link_get_or_create(
        telegram_user_id=inc.user_id, chat_id=inc.chat_id, language=code
    )
    ctx.link = link
    services.link_set_language(link=link, language=code)
    translation.activate(code)  # handle() restores the previous language afterwards
    if link.user is None:
        ctx.say(
            f"{texts.welcome()}\n\n{texts.safety_guidance()}",
            [
                [button(_("Create my pseudonymous account"), "a:new")],
                [button(_("I already have a Haven account"), "a:have")],
            ],
        )
    else:
        ctx.say(_("The language is changed."))
        _menu(ctx)


def _account(ctx: Ctx, choice: str) -> None:
    assert ctx.link is not None  # noqa: S101
    if ctx.link.user is not None or choice not in ("new", "have"):
        _stale(ctx)
        return
    if choice == "have":
        ctx.say(
            _(
                "Log in on the Haven site and open this page; it gives you a link that connects this chat:\n%(url)s"
            )
            % {"url": services.site_url("/telegram/connect/")}
        )
        return
    user = services.link_create_account(link=ctx.link)
    ctx.say(
        _(
            "Your pseudonymous account is ready: %(pseudonym)s. Nobody here sees your Telegram name or number."
        )
        % {"pseudonym": user.username}
    )
    _menu(ctx)


def _menu_choice(ctx: Ctx, choice: str) -> None:
    actions = {
        "need": lambda: _need_start(ctx),
        "proposals": lambda: _proposals(ctx),
        "shelter": lambda: _shelters(ctx),
        "border": lambda: _checkpoints(ctx, "cp"),
        "board": lambda: _checkpoints(ctx, "show"),
    }
    action = actions.get(choice)
    if action is None:
        _stale(ctx)
        return
    action()


# ---------------------------------------------------------------- posting a need (N1)

NEED_STEPS = (
    "kind",
    "city",
    "destination",
    "date_from",
    "nights",
    "adults",
    "children",
    "elderly",
    "pets",
    "budget",
    "host_preference",
    "notes",
    "confirm",
)
TEXT_STEPS = frozenset(
    {"date_from", "nights", "adults", "children", "elderly", "pets", "budget", "notes"}
)
COUNT_STEPS = ("adults", "children", "elderly", "pets")
NIGHTS_MAX = 366


def _next_step(step: str, data: dict[str, Any]) -> str:
    index = NEED_STEPS.index(step) + 1
    while True:
        candidate = NEED_STEPS[index]
        if (candidate == "destination" and data.get("kind") != NeedKind.TRANSPORT) or (
            candidate == "host_preference" and data.get("kind") != NeedKind.HOUSING
        ):
            index += 1
        else:
            return candidate


def _need_start(ctx: Ctx) -> None:
    user = ctx.user
    if user.role != Role.SEEKER and not user.is_coordinator:
        raise HavenError("wrong_role")
    assert ctx.link is not None  # noqa: S101
    conversation = services.conversation_get(link=ctx.link)
    if conversation.flow == "need" and conversation.step:
        ctx.say(
            _("You have a request you did not finish. Continue it or start again?"),
            [[button(_("Continue"), "n:resume"), button(_("Start again"), "n:restart")]],
        )
        return
    services.conversation_set(conversation=conversation, flow="need", step="kind", data={})
    _ask(ctx, "kind", {})


def _city_buttons(step: str) -> Buttons:
    cities = City.objects.filter(region__country_id="KZ").order_by("name_en")
    if step == "destination":
        cities = City.objects.order_by("name_en")
    items = [button(str(c.name), f"n:{step}:{c.slug}") for c in cities]
    return [items[i : i + 2] for i in range(0, len(items), 2)]


def _count_buttons(step: str, values: range) -> Buttons:
    return [[button(str(v), f"n:{step}:{v}") for v in values]]


def _ask(ctx: Ctx, step: str, data: dict[str, Any]) -> None:
    today = timezone.localdate()
    if step == "kind":
        ctx.say(_("What do you need?"), texts.need_kind_buttons())
    elif step == "city":
        ctx.say(_("In which city?"), _city_buttons("city"))
    elif step == "destination":
        ctx.say(_("Where do you need to go?"), _city_buttons("destination"))
    elif step == "date_from":
        ctx.say(
            _("From which day? Press a button or type a date like %(example)s.")
            % {"example": today.isoformat()},
            [
                [
                    button(_("Today"), f"n:date_from:{today.isoformat()}"),
                    button(
                        _("Tomorrow"), f"n:date_from:{(today + dt.timedelta(days=1)).isoformat()}"
                    ),
                ]
            ],
        )
    elif step == "nights":
        ctx.say(
            _("For how many nights? Press a button or type a number."),
            [[button(str(n), f"n:nights:{n}") for n in (1, 3, 7, 14, 30)]],
        )
    elif step == "adults":
        ctx.say(
            _("How many adults? Press a button or type a number."),
            _count_buttons("adults", range(0, 5)),
        )
    elif step == "children":
        ctx.say(
            _("How many children? Press a button or type a number."),
            _count_buttons("children", range(0, 5)),
        )
    elif step == "elderly":
        ctx.say(
            _("How many elderly people? Press a button or type a number."),
            _count_buttons("elderly", range(0, 4)),
        )
    elif step == "pets":
        ctx.say(
            _("How many pets? Press a button or type a number."),
            _count_buttons("pets", range(0, 4)),
        )
    elif step == "budget":
        ctx.say(
            _(
                "What is the most you can pay per night, in tenge? Type a number or press “Free only”."
            ),
            [[button(_("Free only"), "n:budget:free")]],
        )
    elif step == "host_preference":
        ctx.say(
            _("Who may host you?"),
            [
                [button(str(label), f"n:host_preference:{value}")]
                for value, label in HostPreference.choices
            ],
        )
    elif step == "notes":
        ctx.say(
            _(
                "Anything else a host should know? Type a short note or press “Skip”. "
                "No names, phone numbers or addresses: contacts are shared only when both sides accept."
            ),
            [[button(_("Skip"), "n:notes:-")]],
        )
    else:
        slugs = [slug for slug in (data.get("city"), data.get("destination")) if slug]
        names = {c.slug: str(c.name) for c in City.objects.filter(slug__in=slugs)}
        ctx.say(
            texts.need_summary(data, names),
            [
                [button(_("Post the request"), "n:confirm:yes")],
                [
                    button(_("Start again"), "n:confirm:restart"),
                    button(_("Cancel"), "n:confirm:cancel"),
                ],
            ],
        )


def _need_callback(ctx: Ctx, rest: str) -> None:
    assert ctx.link is not None  # noqa: S101
    conversation = services.conversation_get(link=ctx.link)
    if rest in ("resume", "restart"):
        if conversation.flow != "need" or not conversation.step:
            _stale(ctx)
            return
        if rest == "restart":
            services.conversation_set(conversation=conversation, flow="need", step="kind", data={})
        ctx.toast()
        _ask(ctx, conversation.step, conversation.data)
        return
    step, _sep, value = rest.partition(":")
    if conversation.flow != "need" or conversation.step != step:
        _stale(ctx)
        return
    ctx.toast()
    _need_accept(ctx, conversation, step, value)


def _need_text(ctx: Ctx, conversation: Conversation, text: str) -> None:
    if conversation.step not in TEXT_STEPS:
        ctx.say(_("Please use the buttons."))
        _ask(ctx, conversation.step, conversation.data)
        return
    _need_accept(ctx, conversation, conversation.step, text)


def _need_accept(ctx: Ctx, conversation: Conversation, step: str, value: str) -> None:
    data = dict(conversation.data)
    try:
        done = _need_store(ctx, step, value, data)
    except ValidationError as error:
        ctx.say(_validation_text(error))
        _ask(ctx, step, data)
        return
    if done:
        return
    following = _next_step(step, data)
    services.conversation_set(conversation=conversation, flow="need", step=following, data=data)
    _ask(ctx, following, data)


def _need_store(ctx: Ctx, step: str, value: str, data: dict[str, Any]) -> bool:
    """Validate one answer into ``data`` (field rules come from NeedForm). Returns True
    when the conversation ended here (posted, cancelled or restarted)."""
    invalid = ValidationError(_("Please choose one of the buttons."))
    if step == "kind":
        if value not in NeedKind.values:
            raise invalid
        data["kind"] = value
    elif step in ("city", "destination"):
        if not City.objects.filter(slug=value).exists():
            raise invalid
        data[step] = value
    elif step == "date_from":
        start = forms.DateField().clean(value)
        if start < timezone.localdate():
            raise ValidationError(_("The start date is in the past."))
        data["date_from"] = start.isoformat()
    elif step == "nights":
        nights = forms.IntegerField(min_value=1, max_value=NIGHTS_MAX).clean(value)
        data["date_to"] = (
            dt.date.fromisoformat(data["date_from"]) + dt.timedelta(days=nights)
        ).isoformat()
    elif step in COUNT_STEPS:
        data[step] = NeedForm.base_fields[step].clean(value)
    elif step == "budget":
        if value == "free":
            data["free_only"], data["max_price"] = True, None
        else:
            price = NeedForm.base_fields["max_price"].clean(value)
            if price is None:
                raise ValidationError(_("Give the most you can pay, or press “Free only”."))
            data["free_only"], data["max_price"] = False, price
    elif step == "host_preference":
        if value not in HostPreference.values:
            raise invalid
        data["host_preference"] = value
    elif step == "notes":
        data["notes"] = "" if value == "-" else NeedForm.base_fields["notes"].clean(value)
    elif step == "confirm":
        return _need_confirm(ctx, value, data)
    return False


def _need_form_data(data: dict[str, Any], language: str) -> dict[str, Any]:
    form_data: dict[str, Any] = {
        "kind": data.get("kind", ""),
        "city": data.get("city", ""),
        "district_slug": "",
        "destination": data.get("destination", ""),
        "date_from": data.get("date_from", ""),
        "date_to": data.get("date_to", ""),
        "adults": data.get("adults", ""),
        "children": data.get("children", ""),
        "elderly": data.get("elderly", ""),
        "pets": data.get("pets", ""),
        "max_price": "" if data.get("max_price") is None else data["max_price"],
        "host_preference": data.get("host_preference", HostPreference.ANY),
        "min_tier": "0",
        "notes": data.get("notes", ""),
        "languages": [language],
    }
    if data.get("free_only"):
        form_data["free_only"] = (
            "on"  # an unticked checkbox is an absent key, as a browser sends it
        )
    return form_data


def _need_confirm(ctx: Ctx, value: str, data: dict[str, Any]) -> bool:
    assert ctx.link is not None  # noqa: S101
    conversation = services.conversation_get(link=ctx.link)
    if value == "cancel":
        services.conversation_clear(conversation=conversation)
        ctx.say(_("The request is cancelled. Nothing was posted."))
        return True
    if value == "restart":
        services.conversation_set(conversation=conversation, flow="need", step="kind", data={})
        _ask(ctx, "kind", {})
        return True
    if value != "yes":
        raise ValidationError(_("Please choose one of the buttons."))
    form = NeedForm(data=_need_form_data(data, ctx.link.language))
    if not form.is_valid():
        problems = [str(m) for errors in form.errors.values() for m in errors]
        ctx.say(
            _("The request could not be posted: %(problems)s") % {"problems": " ".join(problems)}
        )
        services.conversation_set(conversation=conversation, flow="need", step="kind", data={})
        _ask(ctx, "kind", {})
        return True
    aid_services.need_create(owner=ctx.user, data=form.cleaned_data)
    services.conversation_clear(conversation=conversation)
    ctx.say(_("Your request is posted. We will write to you here as soon as we find a match."))
    return True


# ---------------------------------------------------------------- proposals (M3)


def _proposals(ctx: Ctx) -> None:
    user = ctx.user
    shown = list(
        matching_selectors.proposals_of(user=user).filter(status__in=OPEN_STATUSES)[
            :SHOWN_PROPOSALS
        ]
    )
    if not shown:
        ctx.say(_("You have no open proposals right now."))
        return
    for p in shown:
        text, buttons = (
            texts.proposal_for_seeker(p)
            if p.need.owner_id == user.pk
            else texts.proposal_for_host(p)
        )
        ctx.say(text, buttons)


def _proposal_callback(ctx: Ctx, rest: str) -> None:
    action, _sep, public_id = rest.partition(":")
    user = ctx.user
    proposal = matching_selectors.proposal_get_visible(viewer=user, public_id=public_id[:20])
    if proposal is None or action not in ("pick", "decline", "accept", "refuse", "contacts"):
        _stale(ctx)
        return
    seeker = proposal.need.owner_id == user.pk
    host = proposal.offer.owner_id == user.pk
    if (action in ("pick", "decline") and not seeker) or (
        action in ("accept", "refuse") and not host
    ):
        raise HavenError("forbidden")
    if action == "contacts":
        if not proposal.both_accepted:
            raise HavenError("not_both_accepted")
        if not (seeker or host):
            raise HavenError("forbidden")
        ctx.toast()
        ctx.say(
            _(
                "Open this link within 15 minutes to see the contacts on the Haven site; it works only once:\n%(url)s"
            )
            % {"url": services.contacts_link(user=user, proposal=proposal)}
        )
        return
    if action == "pick":
        updated = matching_services.proposal_pick(proposal=proposal)
        done = (
            _("Done. The host will answer soon.")
            if updated.status == ProposalStatus.SEEKER_ACCEPTED
            else _("Done. The place is yours.")
        )
    elif action == "decline":
        matching_services.proposal_decline_by_seeker(proposal=proposal)
        done = _("Declined. We will look for another place.")
    else:
        matching_services.proposal_host_answer(proposal=proposal, accept=action == "accept")
        done = _("Accepted. Contacts are now shared.") if action == "accept" else _("Declined.")
    fresh = matching_selectors.proposal_get_visible(viewer=user, public_id=proposal.public_id)
    assert fresh is not None  # noqa: S101
    text, buttons = texts.proposal_for_seeker(fresh) if seeker else texts.proposal_for_host(fresh)
    ctx.toast(done)
    ctx.edit(text, buttons)
    if fresh.both_accepted:
        services.notification_told(
            user=user, key=services.proposal_event_key(fresh, "accepted", user)
        )
        ctx.say(*texts.proposal_accepted(fresh))


# ---------------------------------------------------------------- borders (B2, B4)


def _checkpoints(ctx: Ctx, action: str) -> None:
    checkpoints = Checkpoint.objects.order_by("-busy_2022", "name_en")
    items = [
        button(str(cp.name), f"b:{action}:{cp.slug}") for cp in checkpoints if len(cp.slug) <= 40
    ]
    ctx.say(_("Which checkpoint?"), [items[i : i + 2] for i in range(0, len(items), 2)])


def _border_callback(ctx: Ctx, rest: str) -> None:
    action, _sep, args = rest.partition(":")
    slug, _sep, more = args.partition(":")
    checkpoint = border_selectors.checkpoint_get(slug=slug)
    if checkpoint is None:
        _stale(ctx)
        return
    user = ctx.user
    ctx.toast()
    if action == "show":
        item = border_selectors.board_checkpoint(slug=checkpoint.slug) or {}
        ctx.say(texts.board_text(item, checkpoint))
    elif action == "cp":
        _border_actions(ctx, checkpoint)
    elif action == "join":
        labels = direction_labels(checkpoint)
        ctx.say(
            _("Which way are you crossing?"),
            [[button(str(labels.get(d, d)), f"b:dir:{slug}:{d}")] for d in checkpoint.directions],
        )
    elif action == "dir":
        if more not in checkpoint.directions:
            _stale(ctx)
            return
        ctx.say(
            _("How are you crossing?"),
            [
                [
                    button(str(Mode(m).label), f"b:go:{slug}:{more}:{m}")
                    for m in reportable_modes(checkpoint)
                ]
            ],
        )
    elif action == "go":
        direction, _sep, mode = more.partition(":")
        form = JoinForm(
            data={"direction": direction, "mode": mode, "at_checkpoint": "on"},
            checkpoint=checkpoint,
            reporter=user,
        )
        if not form.is_valid():
            ctx.say(" ".join(str(m) for errors in form.errors.values() for m in errors))
            return
        border_services.report_join(reporter=user, data=form.cleaned_data)
        ctx.say(
            _("The clock is running. When you pass passport control, press the button below."),
            _clock_buttons(slug),
        )
    elif action == "pass":
        report = border_services.report_pass(reporter=user, checkpoint=checkpoint)
        assert report.joined_at is not None  # noqa: S101
        assert report.passed_at is not None  # noqa: S101
        waited = texts.duration((report.passed_at - report.joined_at).total_seconds())
        ctx.say(
            _("Thank you! You waited %(duration)s. Your report now counts on the board.")
            % {"duration": waited}
        )
    elif action == "leave":
        if border_services.report_pending_cancel(reporter=user, checkpoint=checkpoint) == 0:
            raise HavenError("no_pending_report")
        ctx.say(_("The clock is stopped and forgotten."))
    else:
        _stale(ctx)


def _clock_buttons(slug: str) -> Buttons:
    return [
        [button(_("I passed control"), f"b:pass:{slug}")],
        [button(_("I left the queue"), f"b:leave:{slug}")],
    ]


def _border_actions(ctx: Ctx, checkpoint: Checkpoint) -> None:
    pending = border_selectors.pending_report(reporter=ctx.user, checkpoint=checkpoint)
    show = [button(_("Waiting times"), f"b:show:{checkpoint.slug}")]
    if pending is not None and pending.joined_at is not None:
        started = timezone.localtime(pending.joined_at).strftime("%H:%M")
        ctx.say(
            _("%(name)s: your clock is running since %(time)s.")
            % {"name": checkpoint.name, "time": started},
            [*_clock_buttons(checkpoint.slug), show],
        )
        return
    if not reportable_modes(checkpoint):
        ctx.say(
            texts.board_text(
                border_selectors.board_checkpoint(slug=checkpoint.slug) or {}, checkpoint
            )
        )
        return
    ctx.say(
        _("%(name)s: press the button when you join the queue; I will time your wait.")
        % {"name": checkpoint.name},
        [[button(_("I joined the queue"), f"b:join:{checkpoint.slug}")], show],
    )


# ---------------------------------------------------------------- shelters (N3)


def _shelter_text(offer: Offer) -> str:
    free = int(offer.free_places or 0)
    return ngettext(
        "%(title)s: %(free)d place of %(capacity)d is free.",
        "%(title)s: %(free)d places of %(capacity)d are free.",
        free,
    ) % {"title": offer.title, "free": free, "capacity": offer.capacity}


def _shelter_buttons(offer: Offer) -> Buttons:
    return [
        [
            button(_("+1 checked in"), f"s:in:{offer.public_id}"),
            button(_("−1 checked out"), f"s:out:{offer.public_id}"),
        ]
    ]


def _shelters(ctx: Ctx) -> None:
    shelters = list(
        aid_selectors.offers_of(user=ctx.user).filter(
            kind=OfferKind.SHELTER, status=OfferStatus.ACTIVE
        )
    )
    if not shelters:
        ctx.say(_("You have no open shelter."))
        return
    for offer in shelters:
        ctx.say(_shelter_text(offer), _shelter_buttons(offer))


def _shelter_callback(ctx: Ctx, rest: str) -> None:
    action, _sep, public_id = rest.partition(":")
    offer = aid_selectors.offer_get_editable(user=ctx.user, public_id=public_id[:20])
    if offer is None or action not in ("in", "out"):
        _stale(ctx)
        return
    if action == "in":
        aid_services.shelter_check_in(offer=offer, by=ctx.user)
    else:
        aid_services.shelter_check_out(offer=offer, by=ctx.user)
    ctx.toast(_("Saved."))
    ctx.edit(_shelter_text(offer), _shelter_buttons(offer))


# ---------------------------------------------------------------- safety check-ins (M6)


def _checkin_callback(ctx: Ctx, rest: str) -> None:
    answer, _sep, token = rest.partition(":")
    checkin = (
        SafetyCheckIn.objects.select_related("proposal__need").filter(token=token[:24]).first()
    )
    if (
        checkin is None
        or answer not in ("safe", "unsafe")
        or checkin.proposal.need.owner_id != ctx.user.pk
    ):
        _stale(ctx)
        return
    if not services.checkin_answer(checkin=checkin, user=ctx.user, safe=answer == "safe"):
        _stale(ctx)
        return
    ctx.toast()
    if answer == "safe":
        ctx.edit(_("Thank you. We are glad you are safe."))
    else:
        ctx.edit(
            _(
                "Thank you for telling us. A coordinator will contact you through Haven soon. "
                "If you are in immediate danger, call 112."
            )
        )
