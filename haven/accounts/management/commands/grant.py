from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haven.accounts.models import User
from haven.accounts.services import coordinator_grant
from haven.geo.models import Region


class Command(BaseCommand):
    help = "Make an account a coordinator (or admin) for regions: grant PSEUDONYM --region KZ-ZAP"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("pseudonym")
        parser.add_argument("--region", action="append", default=[])
        parser.add_argument("--role", default="coordinator", choices=["coordinator", "admin"])

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
