import sqlite3
import subprocess

import pytest
from django.conf import settings
from django.db import connection

from haven.privacy import services as privacy
from haven.privacy.models import ContactVault
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)

CANARY_PHONE = "+7 777 424 2424"
CANARY_HANDLE = "canary_handle_4242"


def dump_database() -> bytes:
    """Everything a thief with the database (but not the master key) would get."""
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        if db["NAME"] in ("", ":memory:") or "mode=memory" in str(db["NAME"]):
            # In-memory test database: copy it out through the backup API.
            raw = connection.connection
            out = sqlite3.connect(":memory:")
            raw.backup(out)
            return "\n".join(out.iterdump()).encode()
        return open(db["NAME"], "rb").read()
    return subprocess.run(
        ["pg_dump", "-h", db["HOST"] or "127.0.0.1", "-U", db["USER"] or "postgres", db["NAME"]],
        capture_output=True, check=True,
    ).stdout


def test_contacts_are_encrypted_at_rest_and_read_back_by_their_owner(alice):
    privacy.contacts_set(user=alice, contacts=privacy.Contacts(phone=CANARY_PHONE, telegram=CANARY_HANDLE))
    assert privacy.contacts_get_own(user=alice) == privacy.Contacts(phone=CANARY_PHONE, telegram=CANARY_HANDLE)
    dump = dump_database()
    assert b"haven_user" in dump or b"accounts_user" in dump  # the dump is real
    assert CANARY_PHONE.encode() not in dump
    assert CANARY_HANDLE.encode() not in dump
    assert b"424 2424" not in dump


def test_erasing_the_key_makes_the_ciphertext_unreadable(alice):
    privacy.contacts_set(user=alice, contacts=privacy.Contacts(phone=CANARY_PHONE))
    stolen = ContactVault.objects.get(user=alice)
    sealed = bytes(stolen.sealed)
    privacy.person_erase_contacts(user=alice)
    assert privacy.contacts_get_own(user=alice).empty
    # Even with the master key, the old ciphertext from a backup needs the shredded data key.
    other = make_user("other")
    privacy.contacts_set(user=other, contacts=privacy.Contacts(phone="x" * 5))
    from cryptography.exceptions import InvalidTag

    from haven.privacy import crypto

    with pytest.raises(InvalidTag):
        crypto.decrypt(
            wrapped_key=bytes(ContactVault.objects.get(user=other).wrapped_key),
            context=f"user:{alice.public_id}",
            sealed=sealed,
        )


def test_a_new_account_can_reveal_only_a_few_contacts_a_day(alice):
    from haven.core.errors import HavenError

    owners = [make_user(f"owner-{i}") for i in range(5)]
    for owner in owners[:3]:
        privacy.contacts_reveal(viewer=alice, owner=owner, proposal_public_id="x")
    # Looking again at someone already revealed does not count against the quota.
    privacy.contacts_reveal(viewer=alice, owner=owners[0], proposal_public_id="x")
    with pytest.raises(HavenError, match="reveal_quota"):
        privacy.contacts_reveal(viewer=alice, owner=owners[3], proposal_public_id="x")
