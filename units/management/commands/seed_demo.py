import datetime
import importlib
import importlib.util
import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope

from units.demo import DEMO_PASSWORD, demo_logins, seed_tenants

HISTORY_START = datetime.date(2024, 1, 1)
# Each app that records activity offers `seed_history(*, unit, rng, start, end)`, in this order.
HISTORY_MODULES = ["intake.demo", "sessions.demo", "quality.demo", "billing.demo", "bookings.demo", "reporting.demo"]


class Command(BaseCommand):
    help = "Create the demo organisations, units, users and a deterministic activity history."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="Random seed; the same seed gives the same data.")
        parser.add_argument("--no-history", action="store_true", help="Only tenants and users, no activity.")
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")
        parser.add_argument("--until", type=datetime.date.fromisoformat, default=None,
                            help="Last day of history (default: today).")

    def handle(self, *args, seed, no_history, force, until, **options):
        if not settings.DEBUG and not force:
            raise CommandError(_("DEBUG is off: this looks like production. Use --force to seed demo data anyway."))
        end = until or timezone.localdate()
        with transaction.atomic():
            units = seed_tenants()
            if not no_history:
                modules = [importlib.import_module(name) for name in HISTORY_MODULES
                           if importlib.util.find_spec(name) is not None]
                for unit in units:
                    # One generator per unit, so adding a unit never changes another's history.
                    rng = random.Random(f"{seed}:{unit.slug}")
                    with scope(unit=unit):
                        for module in modules:
                            module.seed_history(unit=unit, rng=rng, start=HISTORY_START, end=end)
        self.stdout.write(self.style.SUCCESS(_("Demo data ready. Logins (password “%s”):") % DEMO_PASSWORD))
        for name in demo_logins():
            self.stdout.write(f"  {name}")
