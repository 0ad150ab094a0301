from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django_otp.plugins.otp_totp.models import TOTPDevice

from haven.accounts.models import User
from haven.accounts.services import staff_enrolment_issue
from haven.demo.scenario import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo, stage_demo_proposals
from haven.matching.services import matching_run


class Command(BaseCommand):
    help = "Migrate, load the 2022 Kazakhstan demo scenario (once) and print the demo accounts."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Loading the demo scenario (Kazakhstan, September 2022)…")
        counts = load_demo()
        if counts["accounts"]:
            self.stdout.write(f"  {counts['needs']} needs, {counts['offers']} offers, {counts['accounts']} accounts")
            run = matching_run(trigger="demo", time_limit_s=30)
            if run is not None:
                self.stdout.write(
                    f"  first matching run: {run.proposals} proposals for {run.needs} open needs "
                    f"(gap to the certified bound {run.gap:.2%}, {run.seconds:.1f} s)"
                )
            stage_demo_proposals()
        else:
            self.stdout.write("  already loaded")
        self.stdout.write(f"\nDemo accounts (password for all: {DEMO_PASSWORD}):")
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.username:<18} {account.role:<13} {account.what}")
        self.stdout.write(
            "\nCoordinators and admins set up a TOTP authenticator app (FreeOTP, Aegis, ...) at their "
            "first login with a one-time enrolment code: two-factor login is mandatory for them."
        )
        for account in DEMO_ACCOUNTS:
            user = User.objects.filter(username=account.username).first()
            if user is not None and user.is_coordinator and not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                self.stdout.write(f"  enrolment code for {account.username}: {staff_enrolment_issue(user=user)}")
