"""Haven's domain errors: a stable machine code plus a translated message.

Services raise ``HavenError(code)``; the web shows ``error.message``; the API returns
``{"code": ..., "message": ...}`` with ``error.status``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "role_not_allowed": (_("That role cannot be chosen; coordinators are appointed."), 400),
    "role_not_addable": (
        _("This role cannot be added here. Organisations and volunteer drivers are set up with a coordinator, who verifies them."),
        400,
    ),
    "pseudonym_taken": (_("This pseudonym is already taken. Please choose another one."), 409),
    "recovery_failed": (_("The pseudonym or the recovery code is not correct."), 400),
    "invalid_tier": (_("Unknown verification tier."), 400),
    "forbidden": (_("You are not allowed to do this."), 403),
    "not_found": (_("Not found."), 404),
    "unavailable": (
        _("Haven is briefly unavailable. Nothing was saved; please try again in a few seconds."),
        503,
    ),
    "server_error": (_("Something went wrong on our side. Please try again later."), 500),
    "csrf_failed": (
        _("This form has expired or was sent twice. Please go back, reload the page and try again."),
        403,
    ),
    "not_authenticated": (_("Please log in first."), 401),
    "invalid": (_("Some fields are not valid."), 422),
    "not_a_shelter": (_("Only a shelter counts check-ins and check-outs."), 400),
    "shelter_full": (_("The shelter has no free places left."), 409),
    "shelter_empty": (_("Nobody is checked in, so nobody can check out."), 409),
    "not_editable": (_("A closed listing cannot be changed."), 409),
    "account_frozen": (_("This account is frozen. Contact a coordinator."), 403),
    "wrong_role": (_("Your account type cannot do this."), 403),
    # border reports
    "rate_limited": (_("Too many requests. Please wait a little."), 429),
    "no_pending_report": (_("You have not said that you joined the queue at this checkpoint."), 409),
    # borders.forms.MIN_TIMED_WAIT is 5 minutes; a test holds the two together.
    "wait_too_short": (
        _(
            "A wait shorter than 5 minutes is not a queue, so it is not counted. "
            "If there was no queue at all, report 0 vehicles ahead of you instead."
        ),
        422,
    ),
    "pending_expired": (
        _("You joined the queue more than 14 days ago. Please enter both times by hand."),
        409,
    ),
    "reveal_quota": (_("You have seen enough new contacts for today. Try again tomorrow."), 429),
    "proposal_not_open": (_("This proposal is no longer open."), 409),
    "capacity_taken": (_("These places have just been taken. We will propose others."), 409),
    "need_not_open": (_("This request is not open for matching."), 409),
    "not_both_accepted": (_("Contacts are shared only after both sides accept."), 403),
    "no_contact_channel": (
        _("You have left no way to be reached. Add your contacts or choose the coordinator desk first."),
        409,
    ),
    # accounts and safety (P4, P5, P7)
    "too_many_attempts": (
        _("Too many failed attempts. Please wait a few minutes and try again."),
        429,
    ),
    "wrong_password": (_("The password is not correct."), 403),
    "two_factor_required": (
        _("Coordinators must confirm a code from their authenticator app first."),
        403,
    ),
    "enrolment_code_invalid": (
        _("This enrolment code is not valid. Ask the administrator who gave you access for a new one."),
        400,
    ),
    "enrolment_code_expired": (
        _("This enrolment code has expired. Ask the administrator who gave you access for a new one."),
        400,
    ),
    "enrolment_code_used": (
        _("This enrolment code has already been used. Ask the administrator who gave you access for a new one."),
        400,
    ),
    "otp_wrong": (_("This code is not correct or has expired."), 400),
    "staff_cannot_self_erase": (
        _("A coordinator account is removed by an administrator, so that the audit log stays whole."),
        403,
    ),
    "report_target_not_found": (_("We could not find what you are reporting."), 404),
    "report_quota": (_("You have sent many reports today. A coordinator will look at them first."), 429),
    "pair_declined": (_("This pair was declined before and is never proposed again."), 409),
    "pair_own": (_("This offer belongs to the person who asks, so it is never proposed to them."), 409),
    "pair_blocked": (_("One of these two people has blocked the other, so they are never proposed to each other."), 409),
    # shelter holds (N3): a walk-in asks a shelter for a place, the desk checks them in by code
    "shelter_not_open": (_("This shelter is not taking arrivals right now."), 409),
    "shelter_no_room": (
        _("This shelter has no free places for a party of this size right now. Nothing was reserved."),
        409,
    ),
    "shelter_no_pets": (_("This shelter does not take pets."), 409),
    "hold_exists": (_("You already have places held at this shelter. Cancel them first to ask again."), 409),
    "hold_not_active": (_("These places are no longer held."), 409),
    "arrival_code_wrong": (_("No expected arrival has this code. Check the code and try again."), 404),
    "arrival_code_used": (_("This code has already been used: the party is checked in."), 409),
    "arrival_code_expired": (_("This code has expired: the places were not kept. Check the party in by hand if there is room."), 409),
    "block_target_not_found": (_("We could not find the person you want to block."), 404),
}


class HavenError(Exception):
    def __init__(self, code: str, *, status: int | None = None) -> None:
        if code not in MESSAGES:
            raise ValueError(f"unknown error code {code!r}")
        super().__init__(code)
        self.code = code
        self.status = status or MESSAGES[code][1]

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code][0])
