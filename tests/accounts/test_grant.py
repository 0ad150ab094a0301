"""`haven grant`: appoints a coordinator or administrator and prints, once, the one-time
code their authenticator enrolment needs; the database keeps only its hash; granting
again replaces the code and resets the authenticator."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from haven.accounts.enums import Role
from haven.core.errors import HavenError

pytestmark = pytest.mark.django_db

CODE = re.compile(r"\b([A-Z2-9]{5}-[A-Z2-9]{5}-[A-Z2-9]{5}-[A-Z2-9]{5})\b")


def grant(*args: str) -> str:
    out = StringIO()
    call_command("grant", *args, stdout=out)
    return out.getvalue()


def printed_code(output: str) -> str:
    codes = CODE.findall(output)
    assert len(codes) == 1, output
    return str(codes[0])


def test_grant_appoints_and_prints_a_code_that_is_stored_only_as_a_hash(alice: Any, settings: Any) -> None:
    from haven.accounts.models import StaffEnrolment

    output = grant("alice", "--region", "KZ-ZAP")
    code = printed_code(output)
    assert f"valid {settings.HAVEN_STAFF_ENROLMENT_HOURS} hours" in output
    alice.refresh_from_db()
    assert (alice.role, alice.is_staff) == (Role.COORDINATOR, True)
    assert [r.code for r in alice.regions.all()] == ["KZ-ZAP"]
    enrolment = StaffEnrolment.objects.get(user=alice)
    assert enrolment.code_hash == hashlib.sha256(code.encode()).hexdigest()
    assert code not in str(StaffEnrolment.objects.values().get(user=alice))
    assert enrolment.used_at is None
    assert enrolment.expires_at - enrolment.created_at == dt.timedelta(hours=72)


def test_the_printed_code_opens_enrolment_once(alice: Any) -> None:
    from haven.accounts import services

    code = printed_code(grant("alice", "--region", "KZ-ZAP"))
    enrolment = services.staff_enrolment_check(user=alice, code=code)
    services.staff_enrolment_spend(enrolment=enrolment)
    with pytest.raises(HavenError, match="enrolment_code_used"):
        services.staff_enrolment_check(user=alice, code=code)
    with pytest.raises(HavenError, match="enrolment_code_used"):
        services.staff_enrolment_spend(enrolment=enrolment)


def test_a_code_is_only_for_the_person_it_was_granted_to(alice: Any, charlie: Any) -> None:
    from haven.accounts import services

    code = printed_code(grant("alice", "--region", "KZ-ZAP"))
    grant("charlie", "--region", "KZ-ZAP")
    with pytest.raises(HavenError, match="enrolment_code_invalid"):
        services.staff_enrolment_check(user=charlie, code=code)


def test_granting_again_replaces_the_code_and_deletes_the_authenticator(alice: Any) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from haven.accounts import services
    from haven.privacy import services as privacy

    old = printed_code(grant("alice", "--region", "KZ-ZAP"))
    device = privacy.totp_device_start(user=alice, enrolment_code=old)
    device.confirmed = True
    device.save(update_fields=["confirmed"])

    new = printed_code(grant("alice", "--region", "KZ-ZAP"))
    assert new != old
    assert not TOTPDevice.objects.filter(user=alice).exists()
    with pytest.raises(HavenError, match="enrolment_code_invalid"):
        services.staff_enrolment_check(user=alice, code=old)
    assert services.staff_enrolment_check(user=alice, code=new).used_at is None


def test_keep_authenticator_changes_the_role_without_resetting_an_enrolled_authenticator(alice: Any) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from haven.accounts import services
    from haven.privacy import services as privacy

    code = printed_code(grant("alice", "--region", "KZ-ZAP"))
    device = privacy.totp_device_start(user=alice, enrolment_code=code)
    device.confirmed = True
    device.save(update_fields=["confirmed"])

    output = grant("alice", "--region", "KZ-ZAP", "--role", "admin", "--keep-authenticator")
    assert CODE.findall(output) == []
    alice.refresh_from_db()
    assert alice.role == Role.ADMIN
    assert list(TOTPDevice.objects.filter(user=alice).values_list("pk", flat=True)) == [device.pk]
    assert services.staff_enrolment_check(user=alice, code=code).pk is not None  # not replaced


def test_keep_authenticator_still_issues_a_code_to_someone_never_enrolled(alice: Any) -> None:
    assert printed_code(grant("alice", "--region", "KZ-ZAP", "--keep-authenticator"))


@pytest.mark.parametrize("args", [("nobody", "--region", "KZ-ZAP"), ("alice", "--region", "XX-NOPE")])
def test_grant_refuses_unknown_people_and_regions_and_changes_nothing(alice: Any, args: tuple[str, ...]) -> None:
    from haven.accounts.models import StaffEnrolment

    with pytest.raises(CommandError):
        grant(*args)
    alice.refresh_from_db()
    assert alice.role == Role.SEEKER
    assert not StaffEnrolment.objects.exists()


def test_people_who_are_not_staff_get_no_enrolment_code(alice: Any) -> None:
    from haven.accounts import services

    with pytest.raises(HavenError, match="role_not_allowed"):
        services.staff_enrolment_issue(user=alice)
