from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from haven.accounts.models import User
from haven.accounts.services import coordinator_grant, staff_enrolment_issue
from haven.geo.models import Region


class Command(BaseCommand):
    help = (
        "Make an account a coordinator (or admin) for regions and print a one-time code for "
        "enrolling their authenticator app: grant PSEUDONYM --region KZ-ZAP. Run it again "
        "to reset a lost authenticator (the old code and authenticator stop working)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("pseudonym")
        parser.add_argument("--region", action="append", default=[])
        parser.add_argument("--role", default="coordinator", choices=["coordinator", "admin"])
        parser.add_argument(
            "--keep-authenticator", action="store_true",
            help="only change the role or regions: keep an enrolled authenticator and issue no code",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["pseudonym"]).first()
        if user is None:
            raise CommandError(f"no account {options['pseudonym']!r}")
        regions = list(Region.objects.filter(code__in=options["region"]))
        unknown = set(options["region"]) - {r.code for r in regions}
        if unknown:
            raise CommandError(f"unknown region(s): {', '.join(sorted(unknown))}")
        coordinator_grant(user=user, regions=regions, role=options["role"])
        self.stdout.write(f"{user.username} is now {options['role']} for {', '.join(options['region']) or 'no region'}")
        enrolled = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        if options["keep_authenticator"] and enrolled:
            self.stdout.write("Their enrolled authenticator is kept; no enrolment code was issued.")
            return
        code = staff_enrolment_issue(user=user)
        self.stdout.write(
            f"One-time enrolment code for {user.username}, valid {settings.HAVEN_STAFF_ENROLMENT_HOURS} hours:\n\n"
            f"    {code}\n\n"
            "Give it to them in person or over a channel you trust, never with the password. It is not "
            "stored and will not be shown again. Any earlier code and authenticator no longer work."
        )
