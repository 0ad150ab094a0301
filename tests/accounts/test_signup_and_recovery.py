import re

import pytest
from django.contrib.auth.hashers import check_password

from haven.accounts.models import User
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def signup(client, username="quiet-river-1234", role="seeker", password=PASSWORD):
    return client.post("/signup/", {"username": username, "password": password, "role": role})


def test_the_signup_page_offers_a_generated_pseudonym_and_asks_for_no_name_or_email(client_for):
    page = client_for(None).get("/signup/").content.decode()
    suggested = re.search(r'name="username"[^>]*value="([^"]+)"', page)
    assert suggested is not None
    assert re.fullmatch(r"[a-z]+-[a-z]+-\d{4}", suggested.group(1))
    assert 'name="email"' not in page
    assert 'name="first_name"' not in page
    assert 'name="phone"' not in page


def test_signing_up_shows_the_recovery_code_once_and_stores_only_its_hash(client_for):
    client = client_for(None)
    response = signup(client)
    assert response.status_code == 302
    assert response["Location"] == "/welcome/"
    page = client.get("/welcome/").content.decode()
    code = re.search(r'id="recovery-code">([A-Z0-9-]+)<', page).group(1)
    assert re.fullmatch(r"[A-Z0-9]{5}(-[A-Z0-9]{5}){3}", code)
    user = User.objects.get(username="quiet-river-1234")
    assert user.role == "seeker"
    assert code not in user.recovery_code_hash
    assert check_password(code, user.recovery_code_hash)
    # Shown once: the second visit goes to the dashboard and the code is gone.
    again = client.get("/welcome/")
    assert again.status_code == 302
    assert again["Location"] == "/me/"


def test_coordinator_is_not_a_role_anyone_can_choose(client_for):
    response = signup(client_for(None), role="coordinator")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not User.objects.filter(username="quiet-river-1234").exists()


def test_a_taken_pseudonym_is_refused_with_a_clear_message(client_for):
    make_user("quiet-river-1234")
    response = signup(client_for(None))
    assert "This pseudonym is already taken" in response.content.decode()
    assert User.objects.filter(username__iexact="quiet-river-1234").count() == 1


def test_a_weak_password_is_refused_in_russian_for_a_russian_browser(client_for):
    response = signup(client_for(None, language="ru"), password="12345")
    assert response.status_code == 200
    assert "Введённый пароль слишком короткий" in response.content.decode()
    assert User.objects.count() == 0


def test_the_recovery_code_resets_the_password_once(client_for):
    client = client_for(None)
    signup(client)
    code = re.search(r'id="recovery-code">([A-Z0-9-]+)<', client.get("/welcome/").content.decode()).group(1)
    fresh = client_for(None)
    response = fresh.post(
        "/recover/",
        {"username": "quiet-river-1234", "recovery_code": code.lower().replace("-", " "), "new_password": "another-long-passphrase"},
    )
    assert response.status_code == 302
    new_code_page = fresh.get("/welcome/").content.decode()
    new_code = re.search(r'id="recovery-code">([A-Z0-9-]+)<', new_code_page).group(1)
    assert new_code != code
    assert User.objects.get(username="quiet-river-1234").check_password("another-long-passphrase")
    # The old code is spent.
    reused = client_for(None).post(
        "/recover/", {"username": "quiet-river-1234", "recovery_code": code, "new_password": "third-long-passphrase"}
    )
    assert "recovery code is not correct" in reused.content.decode()
    assert not User.objects.get(username="quiet-river-1234").check_password("third-long-passphrase")


def test_a_frozen_account_cannot_log_in(client_for, charlie):
    charlie.frozen_at = charlie.date_joined
    charlie.save()
    response = client_for(None).post("/login/", {"username": "charlie", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in response.client.session


def test_a_frozen_account_is_logged_out_at_once(client_for, alice):
    client = client_for(alice)
    assert client.get("/me/").status_code == 200
    User.objects.filter(pk=alice.pk).update(frozen_at=alice.date_joined)
    response = client.get("/me/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
