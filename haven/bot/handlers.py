"""Telegram updates in, Bot API calls out.

``parse`` reads an update strictly into ``Incoming`` (anything unexpected becomes
kind "other" and is ignored); ``handle`` decides what to say and calls the domain
services; ``process`` does both exactly once per update_id and then delivers the
replies. Both the webhook view and the polling loop call ``process``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from haven.accounts.enums import Role, Tier
from haven.accounts.models import User
from haven.aid import selectors as aid_selectors
from haven.aid import services as aid_services
from haven.aid.enums import (
    OFFER_STATUS_ACTIONS,
    HostKind,
    HostPreference,
    Language,
    NeedKind,
    OfferKind,
    OfferStatus,
    ServiceKind,
)
from haven.aid.forms import NeedForm, OfferForm
from haven.aid.models import Offer
from haven.borders import phrases as border_phrases
from haven.borders import selectors as border_selectors
from haven.borders import services as border_services
from haven.borders.enums import FlagName, Mode, ReportKind
from haven.borders.forms import (
    FlagReportForm,
    JoinForm,
    QueueReportForm,
    direction_labels,
    reportable_modes,
)
from haven.borders.models import BorderReport
from haven.bot import services, texts
from haven.bot.models import Conversation, SafetyCheckIn, TelegramLink
from haven.bot.texts import Buttons, button
from haven.bot.transport import TelegramError, Transport
from haven.core import clock, ratelimit
from haven.core.errors import HavenError
from haven.geo.models import Checkpoint, City
from haven.geo.names import by_name
from haven.matching import selectors as matching_selectors
from haven.matching import services as matching_services
from haven.matching.enums import ProposalStatus
from haven.matching.models import Proposal

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
    flows = {"need": _need_text, "offer": _offer_text, "queue": _queue_text}
    typed = flows.get(conversation.flow)
    if typed is not None and conversation.step:
        typed(ctx, conversation, text)
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
        "offer": lambda: _offer_start(ctx),
        "offers": lambda: _offers(ctx),
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
    ctx.say(_("What would you like to do?"), texts.menu_buttons(ctx.user))


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
        "f": _offer_callback,
        "o": _offer_status_callback,
        "q": _queue_callback,
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
                [button(_("I need help"), "a:new")],
                [button(_("I can host people"), "a:host")],
                [button(_("I already have a Haven account"), "a:have")],
            ],
        )
    else:
        ctx.say(_("The language is changed."))
        _menu(ctx)


def _account(ctx: Ctx, choice: str) -> None:
    assert ctx.link is not None  # noqa: S101
    roles = {"new": Role.SEEKER, "host": Role.HOST}
    if ctx.link.user is not None or choice not in (*roles, "have"):
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
    user = services.link_create_account(link=ctx.link, role=roles[choice])
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
        "offer": lambda: _offer_start(ctx),
        "offers": lambda: _offers(ctx),
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


# ---------------------------------------------------------------- guided flows: shared parts

NIGHTS_MAX = 366


def _invalid() -> ValidationError:
    return ValidationError(_("Please choose one of the buttons."))


def _rows(items: list[dict[str, str]], width: int = 2) -> Buttons:
    return [items[i : i + width] for i in range(0, len(items), width)]


def _city_buttons(prefix: str, step: str) -> Buttons:
    cities = City.objects.filter(region__country_id="KZ")
    if step == "destination":
        cities = City.objects.all()
    return _rows([button(str(c.name), f"{prefix}:{step}:{c.slug}") for c in by_name(cities)])


def _count_buttons(prefix: str, step: str, values: range | tuple[int, ...]) -> Buttons:
    return [[button(str(v), f"{prefix}:{step}:{v}") for v in values]]


def _date_buttons(prefix: str) -> Buttons:
    today = clock.today()
    return [
        [
            button(_("Today"), f"{prefix}:date_from:{today.isoformat()}"),
            button(
                _("Tomorrow"), f"{prefix}:date_from:{(today + dt.timedelta(days=1)).isoformat()}"
            ),
        ]
    ]


def _ask_date_from(ctx: Ctx, prefix: str) -> None:
    ctx.say(
        _("From which day? Press a button or type a date like %(example)s.")
        % {"example": clock.today().isoformat()},
        _date_buttons(prefix),
    )


def _clean_date_from(value: str) -> str:
    start = forms.DateField().clean(value)
    if start < clock.earliest_start():
        raise ValidationError(_("The start date is in the past."))
    return str(start.isoformat())


def _date_to(data: dict[str, Any], value: str) -> str:
    nights = forms.IntegerField(min_value=1, max_value=NIGHTS_MAX).clean(value)
    return (dt.date.fromisoformat(data["date_from"]) + dt.timedelta(days=nights)).isoformat()


def _toggle_buttons(
    prefix: str, step: str, options: list[tuple[str, Any]], chosen: set[str], width: int = 1
) -> Buttons:
    """A multi-select: each option shows whether it is ticked; "Done" goes on."""
    items = [
        button(f"{'✅' if value in chosen else '▫️'} {label}", f"{prefix}:{step}:{value}")
        for value, label in options
    ]
    return [*_rows(items, width), [button(_("Done"), f"{prefix}:{step}:done")]]


def _toggle(chosen: list[str], value: str, allowed: list[str]) -> list[str]:
    if value not in allowed:
        raise _invalid()
    picked = set(chosen) ^ {value}
    return [v for v in allowed if v in picked]


def _form_problems(form: forms.BaseForm) -> str:
    return " ".join(str(m) for errors in form.errors.values() for m in errors)


def _checkbox(data: dict[str, Any], form_data: dict[str, Any], names: tuple[str, ...]) -> None:
    # An unticked checkbox is an absent key, as a browser sends it.
    for name in names:
        if data.get(name):
            form_data[name] = "on"


class Stay(Exception):
    """A multi-select was ticked: the step stays and its message is redrawn."""


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
    "party",
    "languages",
    "budget",
    "host_preference",
    "min_tier",
    "notes",
    "confirm",
)
TEXT_STEPS = frozenset(
    {"date_from", "nights", "adults", "children", "elderly", "pets", "budget", "notes"}
)
COUNT_STEPS = ("adults", "children", "elderly", "pets")
PARTY_FLAGS = ("women_only", "step_free", "disability")
# Safety preferences about the host are asked where a host's home or car is involved.
HOSTED_KINDS = (NeedKind.HOUSING, NeedKind.TRANSPORT)


def _next_step(step: str, data: dict[str, Any]) -> str:
    index = NEED_STEPS.index(step) + 1
    kind = data.get("kind")
    while True:
        candidate = NEED_STEPS[index]
        if (
            (candidate == "destination" and kind != NeedKind.TRANSPORT)
            or (candidate == "host_preference" and kind != NeedKind.HOUSING)
            or (candidate == "min_tier" and kind not in HOSTED_KINDS)
        ):
            index += 1
        else:
            return candidate


def _need_start(ctx: Ctx) -> None:
    user = ctx.user
    if not user.can_ask:
        raise HavenError("wrong_role")
    assert ctx.link is not None  # noqa: S101
    conversation = services.conversation_get(link=ctx.link)
    if services.conversation_draft(conversation=conversation, flow="need") is not None:
        ctx.say(
            _("You have a request you did not finish. Continue it or start again?"),
            [[button(_("Continue"), "n:resume"), button(_("Start again"), "n:restart")]],
        )
        return
    services.conversation_set(conversation=conversation, flow="need", step="kind", data={})
    _ask(ctx, "kind", {})


def _chat_languages(ctx: Ctx, data: dict[str, Any]) -> list[str]:
    """The languages ticked so far; at first the language of this chat."""
    assert ctx.link is not None  # noqa: S101
    chosen = data.get("languages")
    return list(chosen) if isinstance(chosen, list) else [ctx.link.language]


def _need_toggle_buttons(ctx: Ctx, step: str, data: dict[str, Any]) -> Buttons:
    if step == "party":
        options = [(name, NeedForm.base_fields[name].label) for name in PARTY_FLAGS]
        return _toggle_buttons("n", "party", options, {n for n in PARTY_FLAGS if data.get(n)})
    return _toggle_buttons(
        "n", "languages", list(Language.choices), set(_chat_languages(ctx, data)), width=2
    )


def _ask(ctx: Ctx, step: str, data: dict[str, Any], *, edit: bool = False) -> None:
    show = ctx.edit if edit else ctx.say
    if step == "kind":
        show(_("What do you need?"), texts.need_kind_buttons())
    elif step == "city":
        show(_("In which city?"), _city_buttons("n", "city"))
    elif step == "destination":
        show(_("Where do you need to go?"), _city_buttons("n", "destination"))
    elif step == "date_from":
        _ask_date_from(ctx, "n")
    elif step == "nights":
        show(
            _("For how many nights? Press a button or type a number."),
            _count_buttons("n", "nights", (1, 3, 7, 14, 30)),
        )
    elif step == "adults":
        show(
            _("How many adults? Press a button or type a number."),
            _count_buttons("n", "adults", range(0, 5)),
        )
    elif step == "children":
        show(
            _("How many children? Press a button or type a number."),
            _count_buttons("n", "children", range(0, 5)),
        )
    elif step == "elderly":
        show(
            _("How many elderly people? Press a button or type a number."),
            _count_buttons("n", "elderly", range(0, 4)),
        )
    elif step == "pets":
        show(
            _("How many pets? Press a button or type a number."),
            _count_buttons("n", "pets", range(0, 4)),
        )
    elif step == "party":
        show(
            _("Does any of this apply to your party? Tick what applies, then press “Done”."),
            _need_toggle_buttons(ctx, step, data),
        )
    elif step == "languages":
        show(
            _("Which languages do you speak? Tick all that apply, then press “Done”."),
            _need_toggle_buttons(ctx, step, data),
        )
    elif step == "budget":
        show(
            _(
                "What is the most you can pay per night, in tenge? Type a number or press “Free only”."
            ),
            [[button(_("Free only"), "n:budget:free")]],
        )
    elif step == "host_preference":
        show(
            _("Who may host you?"),
            [
                [button(str(label), f"n:host_preference:{value}")]
                for value, label in HostPreference.choices
            ],
        )
    elif step == "min_tier":
        show(
            _("Which hosts do you accept? Verified hosts are fewer, so matching can take longer."),
            [[button(str(label), f"n:min_tier:{value}")] for value, label in Tier.choices],
        )
    elif step == "notes":
        show(
            _(
                "Anything else a host should know? Type a short note or press “Skip”. "
                "No names, phone numbers or addresses: contacts are shared only when both sides accept."
            ),
            [[button(_("Skip"), "n:notes:-")]],
        )
    else:
        slugs = [slug for slug in (data.get("city"), data.get("destination")) if slug]
        names = {c.slug: str(c.name) for c in City.objects.filter(slug__in=slugs)}
        show(
            texts.need_summary({"languages": _chat_languages(ctx, data), **data}, names),
            [
                [button(_("Post the request"), "n:confirm:yes")],
                [
                    button(_("Start again"), "n:confirm:restart"),
                    button(_("Cancel"), "n:confirm:cancel"),
                ],
            ],
        )


@dataclass(frozen=True)
class Guided:
    """A guided, resumable conversation (a request, an offer): pressing its buttons and
    typing its answers work the same way; only the steps, their questions and their
    validation differ."""

    flow: str
    text_steps: frozenset[str]
    ask: Callable[..., None]
    store: Callable[[Ctx, str, str, dict[str, Any]], bool]
    next_step: Callable[[str, dict[str, Any]], str]
    allowed: Callable[[Ctx], bool]


def _guided_callback(guided: Guided, ctx: Ctx, rest: str) -> None:
    assert ctx.link is not None  # noqa: S101
    if not guided.allowed(ctx):
        _stale(ctx)
        return
    conversation = services.conversation_get(link=ctx.link)
    if rest in ("resume", "restart"):
        draft = services.conversation_draft(conversation=conversation, flow=guided.flow)
        if draft is None:
            _stale(ctx)
            return
        step, data = ("kind", {}) if rest == "restart" else draft
        services.conversation_set(conversation=conversation, flow=guided.flow, step=step, data=data)
        ctx.toast()
        guided.ask(ctx, step, data)
        return
    step, _sep, value = rest.partition(":")
    if conversation.flow != guided.flow or conversation.step != step:
        _stale(ctx)
        return
    ctx.toast()
    _guided_accept(guided, ctx, conversation, step, value)


def _guided_text(guided: Guided, ctx: Ctx, conversation: Conversation, text: str) -> None:
    if conversation.step not in guided.text_steps:
        ctx.say(_("Please use the buttons."))
        guided.ask(ctx, conversation.step, conversation.data)
        return
    _guided_accept(guided, ctx, conversation, conversation.step, text)


def _guided_accept(
    guided: Guided, ctx: Ctx, conversation: Conversation, step: str, value: str
) -> None:
    data = dict(conversation.data)
    try:
        done = guided.store(ctx, step, value, data)
    except Stay:
        services.conversation_set(conversation=conversation, flow=guided.flow, step=step, data=data)
        guided.ask(ctx, step, data, edit=True)
        return
    except ValidationError as error:
        ctx.say(_validation_text(error))
        guided.ask(ctx, step, data)
        return
    if done:
        return
    following = guided.next_step(step, data)
    services.conversation_set(conversation=conversation, flow=guided.flow, step=following, data=data)
    guided.ask(ctx, following, data)


def _need_callback(ctx: Ctx, rest: str) -> None:
    _guided_callback(NEED, ctx, rest)


def _need_text(ctx: Ctx, conversation: Conversation, text: str) -> None:
    _guided_text(NEED, ctx, conversation, text)


def _need_store(ctx: Ctx, step: str, value: str, data: dict[str, Any]) -> bool:
    """Validate one answer into ``data`` (field rules come from NeedForm). Returns True
    when the conversation ended here (posted, cancelled or restarted); raises Stay when
    a multi-select was ticked."""
    fields = NeedForm.base_fields
    if step == "kind":
        if value not in NeedKind.values:
            raise _invalid()
        data["kind"] = value
    elif step in ("city", "destination"):
        if not City.objects.filter(slug=value).exists():
            raise _invalid()
        data[step] = value
    elif step == "date_from":
        data["date_from"] = _clean_date_from(value)
    elif step == "nights":
        data["date_to"] = _date_to(data, value)
    elif step in COUNT_STEPS:
        data[step] = fields[step].clean(value)
    elif step == "party":
        if value == "done":
            for name in PARTY_FLAGS:
                data[name] = fields[name].clean(bool(data.get(name)))
            return False
        if value not in PARTY_FLAGS:
            raise _invalid()
        data[value] = not data.get(value)
        raise Stay
    elif step == "languages":
        chosen = _chat_languages(ctx, data)
        if value == "done":
            data["languages"] = fields["languages"].clean(chosen)
            return False
        data["languages"] = _toggle(chosen, value, list(Language.values))
        raise Stay
    elif step == "budget":
        if value == "free":
            data["free_only"], data["max_price"] = True, None
        else:
            price = fields["max_price"].clean(value)
            if price is None:
                raise ValidationError(_("Give the most you can pay, or press “Free only”."))
            data["free_only"], data["max_price"] = False, price
    elif step == "host_preference":
        if value not in HostPreference.values:
            raise _invalid()
        data["host_preference"] = value
    elif step == "min_tier":
        if value not in {str(v) for v in Tier.values}:
            raise _invalid()
        data["min_tier"] = int(fields["min_tier"].clean(value))
    elif step == "notes":
        data["notes"] = "" if value == "-" else fields["notes"].clean(value)
    elif step == "confirm":
        return _need_confirm(ctx, value, data)
    return False


def _need_form_data(data: dict[str, Any], languages: list[str]) -> dict[str, Any]:
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
        "min_tier": str(data.get("min_tier", Tier.SELF_DECLARED)),
        "notes": data.get("notes", ""),
        "languages": languages,
    }
    _checkbox(data, form_data, ("free_only", *PARTY_FLAGS))
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
        raise _invalid()
    form = NeedForm(data=_need_form_data(data, _chat_languages(ctx, data)))
    if not form.is_valid():
        ctx.say(
            _("The request could not be posted: %(problems)s") % {"problems": _form_problems(form)}
        )
        services.conversation_set(conversation=conversation, flow="need", step="kind", data={})
        _ask(ctx, "kind", {})
        return True
    ratelimit.limit("need", f"user:{ctx.user.pk}")  # the web's limit, counted together
    aid_services.need_create(owner=ctx.user, data=form.cleaned_data)
    services.conversation_clear(conversation=conversation)
    ctx.say(_("Your request is posted. We will write to you here as soon as we find a match."))
    return True


# ---------------------------------------------------------------- posting an offer (N2)

OFFER_STEPS = (
    "kind",
    "service_kind",
    "title",
    "host_kind",
    "city",
    "destination",
    "date_from",
    "nights",
    "capacity",
    "rules",
    "languages",
    "price",
    "notes",
    "confirm",
)
OFFER_TEXT_STEPS = frozenset({"title", "date_from", "nights", "capacity", "price", "notes"})
RULE_FLAGS = ("pets_ok", "children_ok", "smoking", "step_free", "exclusive")
SHOWN_OFFERS = 10


def _offer_next_step(step: str, data: dict[str, Any]) -> str:
    index = OFFER_STEPS.index(step) + 1
    kind = data.get("kind")
    while True:
        candidate = OFFER_STEPS[index]
        if (
            (candidate == "service_kind" and kind != OfferKind.SERVICE)
            or (candidate == "host_kind" and kind == OfferKind.SHELTER)
            or (candidate == "destination" and kind != OfferKind.RIDE)
            or (candidate == "rules" and kind == OfferKind.SERVICE)
        ):
            index += 1
        else:
            return candidate


def _may_offer(ctx: Ctx) -> bool:
    """Hosts, organisations, drivers (and coordinators) offer; a seeker is told how."""
    if ctx.user.can_offer:
        return True
    text = _(
        "Your account is for asking for help, so it cannot offer places yet. To offer a bed, "
        "a room or a flat, open your page on the Haven site and choose “Also offer help as a "
        "private host”; an organisation is set up with a coordinator."
    )
    if ctx.incoming.kind == "callback":
        ctx.toast(str(HavenError("wrong_role").message))
    ctx.say(text)
    return False


def _offer_start(ctx: Ctx) -> None:
    if not _may_offer(ctx):
        return
    assert ctx.link is not None  # noqa: S101
    conversation = services.conversation_get(link=ctx.link)
    if services.conversation_draft(conversation=conversation, flow="offer") is not None:
        ctx.say(
            _("You have an offer you did not finish. Continue it or start again?"),
            [[button(_("Continue"), "f:resume"), button(_("Start again"), "f:restart")]],
        )
        return
    services.conversation_set(conversation=conversation, flow="offer", step="kind", data={})
    _offer_ask(ctx, "kind", {})


def _offer_form(ctx: Ctx, data: dict[str, Any] | None = None) -> OfferForm:
    return OfferForm(data=data, role=ctx.user.offer_role)


def _offer_rules(data: dict[str, Any]) -> dict[str, bool]:
    """The house rules ticked so far; at first the form's own defaults."""
    fields = OfferForm.base_fields
    names = [
        n for n in RULE_FLAGS if not (n == "exclusive" and data.get("kind") == OfferKind.SHELTER)
    ]
    return {n: bool(data[n]) if n in data else bool(fields[n].initial) for n in names}


def _offer_toggle_buttons(ctx: Ctx, step: str, data: dict[str, Any]) -> Buttons:
    if step == "rules":
        rules = _offer_rules(data)
        labels = OfferForm.base_fields
        options = [(name, labels[name].label) for name in rules]
        return _toggle_buttons("f", "rules", options, {n for n, on in rules.items() if on})
    return _toggle_buttons(
        "f", "languages", list(Language.choices), set(_chat_languages(ctx, data)), width=2
    )


def _offer_ask(ctx: Ctx, step: str, data: dict[str, Any], *, edit: bool = False) -> None:
    show = ctx.edit if edit else ctx.say
    if step == "kind":
        kinds: Any = _offer_form(ctx).fields["kind"]
        show(
            _("What do you offer?"),
            _rows([button(str(label), f"f:kind:{value}") for value, label in kinds.choices]),
        )
    elif step == "service_kind":
        show(
            _("What kind of service?"),
            _rows([button(str(label), f"f:service_kind:{v}") for v, label in ServiceKind.choices]),
        )
    elif step == "title":
        show(
            _(
                "Type a short title, for example “Room for a family with a child”. "
                "No names, phone numbers or addresses."
            )
        )
    elif step == "host_kind":
        show(
            _("Who hosts?"),
            _rows([button(str(label), f"f:host_kind:{v}") for v, label in HostKind.choices]),
        )
    elif step == "city":
        show(_("In which city?"), _city_buttons("f", "city"))
    elif step == "destination":
        show(_("Where does the ride go?"), _city_buttons("f", "destination"))
    elif step == "date_from":
        _ask_date_from(ctx, "f")
    elif step == "nights":
        show(
            _("For how many days is it available? Press a button or type a number."),
            _count_buttons("f", "nights", (1, 3, 7, 14, 30)),
        )
    elif step == "capacity":
        show(
            _("How many places or seats? Press a button or type a number."),
            _count_buttons("f", "capacity", range(1, 6)),
        )
    elif step == "rules":
        show(
            _("House rules: tick what is true, then press “Done”."),
            _offer_toggle_buttons(ctx, step, data),
        )
    elif step == "languages":
        show(
            _("Which languages are spoken? Tick all that apply, then press “Done”."),
            _offer_toggle_buttons(ctx, step, data),
        )
    elif step == "price":
        show(
            _("What is the price per night, in tenge? Type a number or press “Free”."),
            [[button(_("Free"), "f:price:0")]],
        )
    elif step == "notes":
        show(
            _(
                "House rules and notes for guests: type a short note or press “Skip”. "
                "No phone numbers or exact address: contacts are shared only when both sides accept."
            ),
            [[button(_("Skip"), "f:notes:-")]],
        )
    else:
        slugs = [slug for slug in (data.get("city"), data.get("destination")) if slug]
        names = {c.slug: str(c.name) for c in City.objects.filter(slug__in=slugs)}
        summary = texts.offer_summary(
            {**data, **_offer_rules(data), "languages": _chat_languages(ctx, data)}, names
        )
        show(
            summary,
            [
                [button(_("Publish the offer"), "f:confirm:yes")],
                [
                    button(_("Start again"), "f:confirm:restart"),
                    button(_("Cancel"), "f:confirm:cancel"),
                ],
            ],
        )


def _offer_callback(ctx: Ctx, rest: str) -> None:
    _guided_callback(OFFER, ctx, rest)


def _offer_text(ctx: Ctx, conversation: Conversation, text: str) -> None:
    _guided_text(OFFER, ctx, conversation, text)


def _offer_store(ctx: Ctx, step: str, value: str, data: dict[str, Any]) -> bool:
    """Validate one answer into ``data`` with the fields of the web's OfferForm (for
    this person's role). Returns True when the conversation ended here; raises Stay
    when a multi-select was ticked."""
    fields = _offer_form(ctx).fields
    if step in ("kind", "service_kind", "host_kind"):
        if value not in {str(v) for v, _label in getattr(fields[step], "choices", [])} or not value:
            raise _invalid()
        data[step] = fields[step].clean(value)
    elif step == "title":
        data["title"] = fields["title"].clean(value)
    elif step in ("city", "destination"):
        if not City.objects.filter(slug=value).exists():
            raise _invalid()
        data[step] = value
    elif step == "date_from":
        data["date_from"] = _clean_date_from(value)
    elif step == "nights":
        data["date_to"] = _date_to(data, value)
    elif step in ("capacity", "price"):
        name = "price_per_night" if step == "price" else step
        number = fields[name].clean(value)
        if number is None:
            raise ValidationError(_("This field is required."))
        data[name] = number
    elif step == "rules":
        rules = _offer_rules(data)
        if value == "done":
            data.update({name: fields[name].clean(on) for name, on in rules.items()})
            return False
        if value not in rules:
            raise _invalid()
        data[value] = not rules[value]
        raise Stay
    elif step == "languages":
        chosen = _chat_languages(ctx, data)
        if value == "done":
            data["languages"] = fields["languages"].clean(chosen)
            return False
        data["languages"] = _toggle(chosen, value, list(Language.values))
        raise Stay
    elif step == "notes":
        data["notes"] = "" if value == "-" else fields["notes"].clean(value)
    elif step == "confirm":
        return _offer_confirm(ctx, value, data)
    return False


def _offer_form_data(data: dict[str, Any], languages: list[str]) -> dict[str, Any]:
    form_data: dict[str, Any] = {
        "kind": data.get("kind", ""),
        "service_kind": data.get("service_kind", ""),
        "title": data.get("title", ""),
        "host_kind": data.get("host_kind", HostKind.ORGANISATION),
        "city": data.get("city", ""),
        "district_slug": "",
        "destination": data.get("destination", ""),
        "date_from": data.get("date_from", ""),
        "date_to": data.get("date_to", ""),
        "capacity": data.get("capacity", ""),
        "price_per_night": data.get("price_per_night", ""),
        "notes": data.get("notes", ""),
        "languages": languages,
    }
    _checkbox({**data, **_offer_rules(data)}, form_data, RULE_FLAGS)
    return form_data


def _offer_confirm(ctx: Ctx, value: str, data: dict[str, Any]) -> bool:
    assert ctx.link is not None  # noqa: S101
    conversation = services.conversation_get(link=ctx.link)
    if value == "cancel":
        services.conversation_clear(conversation=conversation)
        ctx.say(_("The offer is cancelled. Nothing was published."))
        return True
    if value == "restart":
        services.conversation_set(conversation=conversation, flow="offer", step="kind", data={})
        _offer_ask(ctx, "kind", {})
        return True
    if value != "yes":
        raise _invalid()
    form = _offer_form(ctx, _offer_form_data(data, _chat_languages(ctx, data)))
    if not form.is_valid():
        ctx.say(
            _("The offer could not be published: %(problems)s") % {"problems": _form_problems(form)}
        )
        services.conversation_set(conversation=conversation, flow="offer", step="kind", data={})
        _offer_ask(ctx, "kind", {})
        return True
    ratelimit.limit("offer", f"user:{ctx.user.pk}")  # the web's limit, counted together
    aid_services.offer_create(owner=ctx.user, data=form.cleaned_data)
    services.conversation_clear(conversation=conversation)
    ctx.say(
        _("Your offer is published. Thank you."),
        [[button(_("My offers"), "m:offers")]],
    )
    return True


# ---------------------------------------------------------------- managing offers


def _offers(ctx: Ctx) -> None:
    if not _may_offer(ctx):
        return
    shown = list(
        aid_selectors.offers_of(user=ctx.user).exclude(status=OfferStatus.CLOSED)[:SHOWN_OFFERS]
    )
    if not shown:
        ctx.say(
            _("You have no open offers. Send /offer to publish one."),
            [[button(_("Offer help"), "m:offer")]],
        )
        return
    for offer in shown:
        ctx.say(texts.offer_line(offer), texts.offer_buttons(offer))


def _offer_status_callback(ctx: Ctx, rest: str) -> None:
    action, _sep, public_id = rest.partition(":")
    offer = aid_selectors.offer_get_editable(user=ctx.user, public_id=public_id[:20])
    if offer is None or action not in OFFER_STATUS_ACTIONS:
        _stale(ctx)
        return
    aid_services.offer_set_status(offer=offer, status=OFFER_STATUS_ACTIONS[action])
    ctx.toast(_("Saved."))
    ctx.edit(texts.offer_line(offer), texts.offer_buttons(offer))


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
    if proposal is None or (action != "contacts" and action not in PROPOSAL_DONE):
        _stale(ctx)
        return
    if action == "contacts":
        if not proposal.both_accepted:
            raise HavenError("not_both_accepted")
        if not matching_services.proposal_side(proposal=proposal, user=user):
            raise HavenError("forbidden")
        ctx.toast()
        ctx.say(
            _(
                "Open this link within 15 minutes to see the contacts on the Haven site; it works only once:\n%(url)s"
            )
            % {"url": services.contacts_link(user=user, proposal=proposal)}
        )
        return
    # Who may answer what is the domain's one table; the bot only words the outcome.
    matching_services.proposal_act(proposal=proposal, user=user, action=action)
    fresh = matching_selectors.proposal_get_visible(viewer=user, public_id=proposal.public_id)
    assert fresh is not None  # noqa: S101
    seeker = matching_services.proposal_side(proposal=fresh, user=user) == "seeker"
    text, buttons = texts.proposal_for_seeker(fresh) if seeker else texts.proposal_for_host(fresh)
    ctx.toast(PROPOSAL_DONE[action](fresh))
    ctx.edit(text, buttons)
    if fresh.both_accepted:
        services.notification_told(
            user=user, key=services.proposal_event_key(fresh, "accepted", user)
        )
        ctx.say(*texts.proposal_accepted(fresh))


def _picked(p: Proposal) -> str:
    if p.status == ProposalStatus.SEEKER_ACCEPTED:
        return _("Done. The host will answer soon.")
    return _("Done. The place is yours.")


# The answers the bot offers as buttons (a subset of matching.services.PROPOSAL_ACTIONS)
# and what it says once one is done.
PROPOSAL_DONE: dict[str, Callable[[Proposal], str]] = {
    "pick": _picked,
    "decline": lambda p: _("Declined. We will look for another place."),
    "accept": lambda p: _("Accepted. Contacts are now shared."),
    "refuse": lambda p: _("Declined."),
}


# ---------------------------------------------------------------- borders (B2, B4)

QUEUE_MEASURES = ("position", "vehicles_ahead", "km")


def _checkpoints(ctx: Ctx, action: str) -> None:
    checkpoints = Checkpoint.objects.order_by("-busy_2022", "name_en")
    # Longer slugs would not fit the 64 bytes of a button's callback data.
    items = [
        button(str(cp.name), f"b:{action}:{cp.slug}") for cp in checkpoints if len(cp.slug) <= 20
    ]
    ctx.say(_("Which checkpoint?"), _rows(items))


def _direction_buttons(checkpoint: Checkpoint, action: str) -> Buttons:
    labels = direction_labels(checkpoint)
    return [
        [button(str(labels.get(d, d)), f"b:{action}:{checkpoint.slug}:{d}")]
        for d in checkpoint.directions
    ]


def _mode_buttons(checkpoint: Checkpoint, action: str, direction: str) -> Buttons:
    return [
        [
            button(str(Mode(m).label), f"b:{action}:{checkpoint.slug}:{direction}:{m}")
            for m in reportable_modes(checkpoint)
        ]
    ]


def _border_callback(ctx: Ctx, rest: str) -> None:
    action, _sep, args = rest.partition(":")
    slug, _sep, more = args.partition(":")
    checkpoint = border_selectors.checkpoint_get(slug=slug)
    if checkpoint is None:
        _stale(ctx)
        return
    user = ctx.user
    parts = more.split(":") if more else []
    if action in ("dir", "qdir", "fdir") and (
        len(parts) != 1 or parts[0] not in checkpoint.directions
    ):
        _stale(ctx)
        return
    ctx.toast()
    if action == "show":
        item = border_selectors.board_checkpoint(slug=checkpoint.slug) or {}
        ctx.say(texts.board_text(item, checkpoint))
    elif action == "cp":
        _border_actions(ctx, checkpoint)
    elif action == "join":
        ctx.say(_("Which way are you crossing?"), _direction_buttons(checkpoint, "dir"))
    elif action == "dir":
        ctx.say(_("How are you crossing?"), _mode_buttons(checkpoint, "go", more))
    elif action == "go":
        direction, _sep, mode = more.partition(":")
        form = JoinForm(
            data={"direction": direction, "mode": mode, "at_checkpoint": "on"},
            checkpoint=checkpoint,
            reporter=user,
        )
        if not form.is_valid():
            ctx.say(_form_problems(form))
            return
        border_services.report_join(reporter=user, data=form.cleaned_data)
        ctx.say(
            _("The clock is running. When you pass passport control, press the button below."),
            _clock_buttons(slug),
        )
    elif action == "pass":
        try:
            report = border_services.report_pass(reporter=user, checkpoint=checkpoint)
        except HavenError as error:
            if error.code != "wait_too_short":
                raise
            # The clock keeps running: the buttons again, for when control is really passed.
            ctx.say(error.message, _clock_buttons(slug))
            return
        _say_outcome(ctx, report)
    elif action == "leave":
        if border_services.report_pending_cancel(reporter=user, checkpoint=checkpoint) == 0:
            raise HavenError("no_pending_report")
        ctx.say(_("The clock is stopped and forgotten."))
    elif action == "queue" and reportable_modes(checkpoint):
        ctx.say(_("Which way are you crossing?"), _direction_buttons(checkpoint, "qdir"))
    elif action == "qdir":
        ctx.say(_("How are you crossing?"), _mode_buttons(checkpoint, "qgo", more))
    elif action == "qgo":
        _queue_start(ctx, checkpoint, more)
    elif action == "flag":
        ctx.say(_("Which way is it about?"), _direction_buttons(checkpoint, "fdir"))
    else:
        _flag_step(ctx, checkpoint, action, parts)


def _say_outcome(ctx: Ctx, report: BorderReport) -> None:
    """What was counted, as the board shows it (the web says the same)."""
    standing = border_selectors.report_standing(report=report)
    ctx.say(
        border_phrases.report_outcome(report=report, standing=standing),
        [[button(_("Waiting times"), f"b:show:{report.checkpoint.slug}")]],
    )


def _clock_buttons(slug: str) -> Buttons:
    return [
        [button(_("I passed control"), f"b:pass:{slug}")],
        [button(_("I left the queue"), f"b:leave:{slug}")],
    ]


def _border_actions(ctx: Ctx, checkpoint: Checkpoint) -> None:
    pending = border_selectors.pending_report(reporter=ctx.user, checkpoint=checkpoint)
    slug = checkpoint.slug
    show = [button(_("Waiting times"), f"b:show:{slug}")]
    flag = [button(_("A rule or a problem at the checkpoint"), f"b:flag:{slug}")]
    if pending is not None and pending.joined_at is not None:
        ctx.say(
            _("%(name)s: %(clock)s")
            % {"name": checkpoint.name, "clock": border_phrases.clock_running(pending, now=clock.now())},
            [*_clock_buttons(slug), show],
        )
        return
    if not reportable_modes(checkpoint):
        ctx.say(
            texts.board_text(border_selectors.board_checkpoint(slug=slug) or {}, checkpoint),
            [flag],
        )
        return
    ctx.say(
        _("%(name)s: press the button when you join the queue; I will time your wait.")
        % {"name": checkpoint.name},
        [
            [button(_("I joined the queue"), f"b:join:{slug}")],
            [button(str(ReportKind.QUEUE.label), f"b:queue:{slug}")],
            flag,
            show,
        ],
    )


# "I am in the queue now" (B2): direction and mode by buttons, then one measure typed.


def _queue_start(ctx: Ctx, checkpoint: Checkpoint, more: str) -> None:
    direction, _sep, mode = more.partition(":")
    form = QueueReportForm(
        data={"direction": direction, "mode": mode, "at_checkpoint": "on"},
        checkpoint=checkpoint,
        reporter=ctx.user,
    )
    form.is_valid()  # the measure is still missing; only direction and mode must be right
    if "direction" in form.errors or "mode" in form.errors:
        ctx.say(_form_problems(form))
        return
    assert ctx.link is not None  # noqa: S101
    data = {"checkpoint": checkpoint.slug, "direction": direction, "mode": mode}
    conversation = services.conversation_get(link=ctx.link)
    services.conversation_set(conversation=conversation, flow="queue", step="measure", data=data)
    _queue_ask(ctx, "measure", data)


def _queue_ask(ctx: Ctx, step: str, data: dict[str, Any]) -> None:
    fields = QueueReportForm.base_fields
    if step == "measure":
        ctx.say(
            _("What can you tell about the queue?"),
            [[button(str(fields[m].label), f"q:measure:{m}")] for m in QUEUE_MEASURES],
        )
    else:
        ctx.say(
            _("%(measure)s: type a number.") % {"measure": fields[data["measure"]].label},
            [[button(_("Cancel"), "q:cancel:-")]],
        )


def _queue_callback(ctx: Ctx, rest: str) -> None:
    assert ctx.link is not None  # noqa: S101
    conversation = services.conversation_get(link=ctx.link)
    step, _sep, value = rest.partition(":")
    if conversation.flow != "queue" or (step != "cancel" and conversation.step != step):
        _stale(ctx)
        return
    if step == "cancel":
        services.conversation_clear(conversation=conversation)
        ctx.toast()
        ctx.say(_("Stopped. Nothing was reported."))
        return
    if value not in QUEUE_MEASURES:
        _stale(ctx)
        return
    ctx.toast()
    data = {**conversation.data, "measure": value}
    services.conversation_set(conversation=conversation, flow="queue", step="value", data=data)
    _queue_ask(ctx, "value", data)


def _queue_text(ctx: Ctx, conversation: Conversation, text: str) -> None:
    data = dict(conversation.data)
    checkpoint = border_selectors.checkpoint_get(slug=str(data.get("checkpoint", "")))
    if conversation.step != "value" or checkpoint is None:
        ctx.say(_("Please use the buttons."))
        _queue_ask(ctx, conversation.step, data)
        return
    measure = data["measure"]
    # "2,5" km is how many people write it.
    value = text.replace(",", ".") if measure == "km" else text
    form = QueueReportForm(
        data={
            "direction": data["direction"],
            "mode": data["mode"],
            "at_checkpoint": "on",
            measure: value,
        },
        checkpoint=checkpoint,
        reporter=ctx.user,
    )
    if not form.is_valid():
        ctx.say(_form_problems(form))
        _queue_ask(ctx, "value", data)
        return
    report = border_services.report_submit(reporter=ctx.user, data=form.cleaned_data)
    services.conversation_clear(conversation=conversation)
    _say_outcome(ctx, report)


# A rule or amenity flag (B2): direction, flag, "is it so?", "are you there?".


def _flag_step(ctx: Ctx, checkpoint: Checkpoint, action: str, parts: list[str]) -> None:
    slug = checkpoint.slug
    fields = FlagReportForm.base_fields
    if action == "fdir":
        (direction,) = parts
        ctx.say(
            _("What is it about?"),
            [
                [button(str(label), f"b:fname:{slug}:{direction}:{f}")]
                for f, label in FlagName.choices
            ],
        )
        return
    if action == "fname" and len(parts) == 2 and parts[1] in FlagName.values:
        value_choices: Any = fields["value"]
        ctx.say(
            str(FlagName(parts[1]).label),
            [
                [button(str(label), f"b:fset:{slug}:{parts[0]}:{parts[1]}:{v}")]
                for v, label in value_choices.choices
            ],
        )
        return
    if action == "fset" and len(parts) == 3:
        at_field: Any = fields["at_checkpoint"]
        ctx.say(
            str(at_field.label),
            [
                [
                    button(_("Yes"), f"b:fat:{slug}:{':'.join(parts)}:1"),
                    button(_("No, I heard it"), f"b:fat:{slug}:{':'.join(parts)}:0"),
                ]
            ],
        )
        return
    if action == "fat" and len(parts) == 4 and parts[3] in ("0", "1"):
        direction, flag, value, here = parts
        form_data = {"direction": direction, "flag": flag, "value": value}
        if here == "1":
            form_data["at_checkpoint"] = "on"
        form = FlagReportForm(data=form_data, checkpoint=checkpoint, reporter=ctx.user)
        if not form.is_valid():
            ctx.say(_form_problems(form))
            return
        report = border_services.report_submit(reporter=ctx.user, data=form.cleaned_data)
        _say_outcome(ctx, report)
        return
    ctx.say(_("This button is out of date."))


# ---------------------------------------------------------------- shelters (N3)


def _shelter_text(offer: Offer) -> str:
    free = int(offer.free_places or 0)
    text = ngettext(
        "%(title)s: %(free)d place of %(capacity)d is free.",
        "%(title)s: %(free)d places of %(capacity)d are free.",
        free,
    ) % {"title": offer.title, "free": free, "capacity": offer.capacity}
    matching_selectors.shelter_places(offers=[offer])
    held = int(getattr(offer, "held", 0))
    if not held:
        return text
    arriving = ngettext(
        "%(held)d of them is held for people on their way (arrival codes on the web page).",
        "%(held)d of them are held for people on their way (arrival codes on the web page).",
        held,
    ) % {"held": held}
    return f"{text}\n{arriving}"


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


NEED = Guided("need", TEXT_STEPS, _ask, _need_store, _next_step, allowed=lambda ctx: True)
OFFER = Guided(
    "offer",
    OFFER_TEXT_STEPS,
    _offer_ask,
    _offer_store,
    _offer_next_step,
    allowed=lambda ctx: bool(ctx.user.can_offer),
)
