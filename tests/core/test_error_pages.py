"""What nobody's view handled still gets a clear, translated answer: 404 and CSRF pages
on the site, JSON under /api/, and a database outage is a 503 to retry, never a 500."""

import pytest
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db


def test_an_unknown_page_is_a_translated_404_with_the_sites_headers(client):
    english = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 404
    assert "This page does not exist" in english.content.decode()
    assert "Content-Security-Policy" in english.headers
    russian = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="ru")
    assert "Такой страницы нет" in russian.content.decode()


def test_an_unknown_api_route_answers_json(client):
    response = client.get("/api/no-such-thing", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Не найдено."}


def test_an_expired_form_says_what_to_do(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post("/needs/new/", {"kind": "housing"}, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 403
    assert "Эта форма устарела" in response.content.decode()


@pytest.mark.parametrize("path", ["/border/", "/api/border/checkpoints"])
def test_a_database_outage_is_a_503_to_retry_not_a_500(monkeypatch, path):
    from haven.borders import selectors

    def down(**_kwargs):  # the fault the database driver raises while it restarts
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(selectors, "board", down)
    client = Client(raise_request_exception=False)
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.content.decode()
    assert "briefly unavailable" in body
    if path.startswith("/api/"):
        assert response.json()["code"] == "unavailable"


def test_a_bug_is_still_a_500_and_says_so(monkeypatch):
    from haven.borders import selectors

    def broken(**_kwargs):
        raise ZeroDivisionError

    monkeypatch.setattr(selectors, "board", broken)
    response = Client(raise_request_exception=False).get("/api/border/checkpoints")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
