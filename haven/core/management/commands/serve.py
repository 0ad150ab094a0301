import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management.base import BaseCommand, CommandError


def server_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment the server runs in: DEBUG off unless it is set (``haven runserver``
    is the developer's server; this one serves people, the demo included)."""
    env = dict(environ)
    if not env.get("DEBUG"):
        env["DEBUG"] = "false"
    return env


def static_collected() -> bool:
    """Whether var/static holds a manifest newer than every static file of the apps."""
    manifest = settings.STATIC_ROOT / "staticfiles.json"
    if not manifest.exists():
        return False
    collected_at = manifest.stat().st_mtime
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            if os.path.getmtime(storage.path(path)) > collected_at:
                return False
    return True


class Command(BaseCommand):
    help = (
        "Serve Haven with gunicorn (HOST, PORT and WEB_CONCURRENCY from the environment), "
        "DEBUG off unless set, static files collected first."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--workers", default=os.environ.get("WEB_CONCURRENCY", "2"))

    def handle(self, *args: Any, **options: Any) -> None:
        if not str(options["port"]).isdigit():
            raise CommandError("PORT must be a number")
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which("gunicorn")
        if gunicorn is None:
            raise CommandError("gunicorn is not installed")
        env = server_environment(os.environ)
        if env["DEBUG"].strip().lower() in {"0", "false", "no", "off"} and not static_collected():
            # WhiteNoise serves the hashed, compressed copies under var/static; they are
            # collected under the server's settings (this process may have DEBUG on).
            self.stdout.write("Collecting static files into var/static…")
            collected = subprocess.run(
                [sys.executable, "-m", "haven", "collectstatic", "--noinput", "--verbosity", "0"],
                env=env, check=False,
            )  # fmt: skip
            if collected.returncode != 0:
                raise CommandError("collectstatic failed")
        bind = f"{options['host']}:{options['port']}"
        self.stdout.write(f"Haven is running at http://{bind}/  (Ctrl+C to stop)")
        argv = [
            gunicorn, "haven.wsgi:application", "--bind", bind,
            "--workers", str(options["workers"]), "--threads", "4",
            "--access-logfile", "-", "--access-logformat", '%(m)s %(U)s %(s)s %(M)sms',
        ]
        os.execve(gunicorn, argv, env)  # noqa: S606 - replaces this process with the server
