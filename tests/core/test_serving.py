"""How Haven is served to people (issue #11, problem 10): `haven serve` and so `make demo`
run with DEBUG off, static files collected, hashed and precompressed; HTML is compressed;
a favicon answers at /favicon.ico; a missing page is Haven's own translated page."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def _settings_under(env: dict[str, str]) -> dict[str, Any]:
    """DEBUG, ALLOWED_HOSTS and the static storage as a fresh process reads them."""
    script = (
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'haven.settings'; django.setup()\n"
        "from django.conf import settings as s\n"
        "print(repr({'DEBUG': s.DEBUG, 'ALLOWED_HOSTS': s.ALLOWED_HOSTS,"
        " 'static': s.STORAGES['staticfiles']['BACKEND']}))"
    )
    result = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return eval(result.stdout)  # noqa: S307 - our own repr of three plain values


def _development_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "HAVEN_ENV")}
    env["HAVEN_ENV"] = "development"
    return env


def test_the_server_that_make_demo_starts_runs_with_debug_off_for_127_0_0_1_and_localhost():
    from haven.core.management.commands.serve import server_environment

    served = _settings_under(server_environment(_development_environment()))
    assert served["DEBUG"] is False
    assert {"127.0.0.1", "localhost"} <= set(served["ALLOWED_HOSTS"])
    assert served["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    # The developer's own server keeps DEBUG on, and an explicit DEBUG wins.
    assert _settings_under(_development_environment())["DEBUG"] is True
    assert server_environment({"DEBUG": "true"})["DEBUG"] == "true"


def test_make_demo_runs_everything_with_debug_off():
    dry_run = subprocess.run(
        ["make", "-n", "-p", "demo"], cwd=ROOT, capture_output=True, text=True, check=False,
        env={k: v for k, v in os.environ.items() if k != "DEBUG"},
    )  # fmt: skip
    assert "\ndemo: DEBUG = false\n" in dry_run.stdout  # make's own reading of the Makefile


def test_haven_serve_collects_hashed_compressed_static_files_before_starting(monkeypatch, settings, tmp_path):
    monkeypatch.delenv("DEBUG", raising=False)
    monkeypatch.setenv("HAVEN_VAR_DIR", str(tmp_path))
    settings.STATIC_ROOT = tmp_path / "static"
    started: list[tuple[str, list[str], dict[str, str]]] = []

    def execve(path: str, argv: list[str], env: dict[str, str]) -> None:  # the process boundary
        started.append((path, argv, env))

    monkeypatch.setattr(os, "execve", execve)
    monkeypatch.setattr(os, "execv", lambda path, argv: execve(path, argv, {}))
    call_command("serve", port="8123")
    [(_path, argv, env)] = started
    assert argv[1:4] == ["haven.wsgi:application", "--bind", "127.0.0.1:8123"]
    assert env["DEBUG"] == "false"
    static = tmp_path / "static" / "web"
    assert (tmp_path / "static" / "staticfiles.json").exists()
    hashed = sorted(p.name for p in static.glob("haven.*.css*"))
    assert len(hashed) == 2
    assert hashed[1] == hashed[0] + ".gz"


pytestmark = pytest.mark.django_db


def test_a_frozen_hosts_offer_is_havens_translated_404_with_debug_off(settings, client_for, alice, bobs_offer, bob, cora):
    from haven.accounts.services import user_freeze

    settings.DEBUG = False
    user_freeze(user=bob, by=cora)
    response = client_for(alice, language="ru").get(f"/offers/{bobs_offer.public_id}/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "<h1>Не найдено</h1>" in body
    assert "Using the URLconf" not in body
    assert "Content-Security-Policy" in response.headers


def test_favicon_ico_is_an_icon_not_a_404_page(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    body = b"".join(response.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO header
    assert body == (ROOT / "haven" / "web" / "root" / "favicon.ico").read_bytes()


def test_every_page_links_its_svg_icon(client_for):
    body = client_for(None).get("/").content.decode()
    assert '<link rel="icon" href="/static/web/favicon.svg" type="image/svg+xml">' in body


@pytest.mark.parametrize("path", ["/", "/offers/", "/border/", "/no-such-page/"])
def test_html_is_gzipped_for_clients_that_accept_it(client_for, bobs_offer, path):
    client = client_for(None)
    plain = client.get(path)
    packed = client.get(path, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    html = gzip.decompress(packed.content).decode()
    assert html == plain.content.decode().replace(_csrf(plain), _csrf(packed, html))
    assert len(packed.content) < 0.7 * len(plain.content)


def _csrf(response: Any, html: str | None = None) -> str:
    """The masked CSRF token differs in every response (Django's BREACH mitigation)."""
    import re

    text = html if html is not None else response.content.decode()
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', text))
    assert len(tokens) <= 1
    return tokens.pop() if tokens else ""
