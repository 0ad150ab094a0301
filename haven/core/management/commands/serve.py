import os
import shutil
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve Haven with gunicorn (HOST, PORT and WEB_CONCURRENCY from the environment)."

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
        bind = f"{options['host']}:{options['port']}"
        self.stdout.write(f"Haven is running at http://{bind}/  (Ctrl+C to stop)")
        argv = [
            gunicorn, "haven.wsgi:application", "--bind", bind,
            "--workers", str(options["workers"]), "--threads", "4",
            "--access-logfile", "-", "--access-logformat", '%(m)s %(U)s %(s)s %(M)sms',
        ]
        os.execv(gunicorn, argv)  # noqa: S606 - replaces this process with the server
