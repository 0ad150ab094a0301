import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.django_db


def test_russian_browsers_get_russian_and_others_english(client_for):
    assert "Предложения" in client_for(None, language="ru-RU,ru;q=0.9").get("/").content.decode()
    assert "Offers" in client_for(None, language="en-GB").get("/").content.decode()


def test_the_language_switcher_works_without_javascript(client_for):
    client = client_for(None, language="en")
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/offers/"})
    assert response.status_code == 302
    assert response["Location"] == "/offers/"
    assert "Предложения помощи" in client.get("/offers/").content.decode()


def test_every_page_carries_a_strict_content_security_policy_and_noindex(client_for):
    response = client_for(None).get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["X-Frame-Options"] == "DENY"


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env.update(HAVEN_ENV="production", ALLOWED_HOSTS="haven.example")
    result = subprocess.run(
        [sys.executable, "-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='haven.settings'; django.setup()"],
        env=env, capture_output=True, text=True, check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


def test_production_settings_pass_the_deploy_check():
    env = dict(os.environ)
    env.update(
        HAVEN_ENV="production", ALLOWED_HOSTS="haven.example", SECRET_KEY="x" * 30 + "-production-secret-key-123456789",
        HAVEN_MASTER_KEY="MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
    )
    env.pop("DEBUG", None)
    result = subprocess.run(
        [sys.executable, "-m", "haven", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
