"""Problem 4 of issue #11: the recovery card. Recovery needs the pseudonym and the code
together, so the welcome page (after sign-up and after recovery) shows both on one
card that prints alone and downloads as a plain-text file without JavaScript; the
sign-up page says beforehand that both are needed and that Haven cannot recover an
account otherwise. The code is still shown exactly once."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from haven.accounts.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

CODE = re.compile(r'id="recovery-code">([A-Z0-9-]+)<')


def sign_up(client: Any, username: str = "quiet-river-1234", **extra: str) -> str:
    """Sign up and open the welcome page once; its HTML."""
    response = client.post("/signup/", {"username": username, "password": PASSWORD, "role": "seeker", **extra})
    assert response.status_code == 302
    return str(client.get("/welcome/").content.decode())


def test_the_welcome_page_shows_the_pseudonym_and_the_code_on_one_card(client_for: Any) -> None:
    page = sign_up(client_for(None))
    card = page.split('id="recovery-card"')[1].split("</section>")[0]
    assert 'id="recovery-pseudonym">quiet-river-1234<' in card
    code = CODE.search(card)
    assert code is not None
    assert re.fullmatch(r"[A-Z0-9]{5}(-[A-Z0-9]{5}){3}", code.group(1))
    assert "http://testserver/recover/" in card


def test_the_welcome_page_in_russian_names_both_and_is_never_cached(client_for: Any) -> None:
    client = client_for(None, language="ru")
    client.post("/signup/", {"username": "quiet-river-1234", "password": PASSWORD, "role": "seeker"})
    response = client.get("/welcome/")
    page = response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert "<dt>Псевдоним</dt>" in page
    assert "<dt>Код восстановления</dt>" in page
    assert "Сохранить файлом" in page
    assert "Я сохранил(а) карточку" not in page  # neutral wording, no gendered verb
    assert "Карточка сохранена" in page


def test_the_card_prints_alone(client_for: Any) -> None:
    from django.contrib.staticfiles import finders

    page = sign_up(client_for(None))
    assert '<link rel="stylesheet" href="/static/web/recovery-card.css">' in page
    with open(finders.find("web/recovery-card.css"), encoding="utf-8") as sheet:
        css = sheet.read()
    printed = css.split("@media print")[1]
    assert "body * { visibility:hidden; }" in printed
    assert ".recovery-card, .recovery-card * { visibility:visible; }" in printed


def test_the_card_downloads_as_a_plain_text_file_with_both(client_for: Any) -> None:
    client = client_for(None)
    code = CODE.search(sign_up(client)).group(1)  # type: ignore[union-attr]

    response = client.post("/welcome/card/", {"code": code})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="haven-recovery-quiet-river-1234.txt"'
    assert response["Cache-Control"] == "no-store"
    lines = response.content.decode().split("\r\n")
    assert lines[:4] == ["Haven recovery card", "", "Pseudonym: quiet-river-1234", f"Recovery code: {code}"]
    assert "If you forget your password, open http://testserver/recover/ and enter both." in lines


def test_the_card_file_is_in_russian_for_a_russian_page(client_for: Any) -> None:
    client = client_for(None, language="ru")
    client.post("/signup/", {"username": "quiet-river-1234", "password": PASSWORD, "role": "seeker"})
    code = CODE.search(client.get("/welcome/").content.decode()).group(1)  # type: ignore[union-attr]
    text = client.post("/welcome/card/", {"code": code}).content.decode()
    assert f"Псевдоним: quiet-river-1234\r\nКод восстановления: {code}" in text
    assert "Haven не может восстановить аккаунт никаким другим способом." in text


@pytest.mark.parametrize("code", ["", "AAAAA-BBBBB-CCCCC-DDDDD", "x" * 500])
def test_a_code_that_is_not_the_current_one_makes_no_file(client_for: Any, code: str) -> None:
    client = client_for(None)
    sign_up(client)
    response = client.post("/welcome/card/", {"code": code})
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    assert "This recovery code is not your current one, so no file was made." in client.get("/me/").content.decode()


def test_the_card_file_needs_the_person_a_post_and_a_csrf_token(client_for: Any) -> None:
    client = client_for(None)
    code = CODE.search(sign_up(client)).group(1)  # type: ignore[union-attr]
    assert client.get("/welcome/card/", {"code": code}).status_code == 405
    anonymous = client_for(None).post("/welcome/card/", {"code": code})
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/login/")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(User.objects.get(username="quiet-river-1234"))
    assert strict.post("/welcome/card/", {"code": code}).status_code == 403
    other = client_for(User.objects.create_user(username="someone-else", password=PASSWORD))
    assert other.post("/welcome/card/", {"code": code}).status_code == 302  # not their code


def test_the_code_is_still_shown_exactly_once(client_for: Any) -> None:
    client = client_for(None)
    page = sign_up(client)
    assert CODE.search(page) is not None
    again = client.get("/welcome/")
    assert again.status_code == 302
    assert again["Location"] == "/me/"
    assert "recovery_code" not in client.session


def test_after_recovery_the_card_shows_the_pseudonym_with_the_new_code(client_for: Any) -> None:
    code = CODE.search(sign_up(client_for(None))).group(1)  # type: ignore[union-attr]
    fresh = client_for(None)
    fresh.post("/recover/", {"username": "quiet-river-1234", "recovery_code": code, "new_password": "another-long-passphrase"})
    page = fresh.get("/welcome/").content.decode()
    assert 'id="recovery-pseudonym">quiet-river-1234<' in page
    new_code = CODE.search(page).group(1)  # type: ignore[union-attr]
    assert new_code != code
    assert fresh.post("/welcome/card/", {"code": new_code}).status_code == 200
    assert fresh.post("/welcome/card/", {"code": code}).status_code == 302  # the spent one makes no file


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("en", "you get back in only with your pseudonym and the recovery code we show you next — you need both. "
               "Haven cannot recover your account in any other way."),
        ("ru", "Haven не может восстановить аккаунт никаким другим способом."),
    ],
)
def test_the_signup_page_says_before_signing_up_that_both_are_needed(client_for: Any, language: str, sentence: str) -> None:
    page = client_for(None, language=language).get("/signup/").content.decode()
    notice = page.split('id="recovery-notice"')[1].split("</div>")[0]
    assert sentence in notice
    assert page.index('id="recovery-notice"') < page.index('<button type="submit" class="button">')  # before creating


def test_i_have_saved_it_returns_to_the_page_the_visitor_came_from(client_for: Any, bobs_offer: Any) -> None:
    client = client_for(None)
    target = f"/offers/{bobs_offer.public_id}/"
    signup_page = client.get("/signup/", {"next": target}).content.decode()
    assert f'name="next" value="{target}"' in signup_page
    page = sign_up(client, next=target)
    assert f'<a class="button" href="{target}">I have saved it</a>' in page


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "/\\evil.example"])
def test_a_next_pointing_elsewhere_is_dropped(client_for: Any, target: str) -> None:
    client = client_for(None)
    assert "evil" not in client.get("/signup/", {"next": target}).content.decode().split("<main", 1)[1].split(">", 1)[1]
    page = sign_up(client, next=target)
    assert '<a class="button" href="/me/">I have saved it</a>' in page
