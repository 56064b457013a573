from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from units import onboarding
from units.models import Country, Organisation, Unit


class Command(BaseCommand):
    help = ("Create a unit with the report profile and defaults of its kind, and invite its first chief "
            "(see README, 'A new unit'). With --org-name an organisation is created too.")

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="Organisation slug (an existing one, or a new one with "
                                                         "--org-name and --municipality).")
        parser.add_argument("--org-name", default="", help="Name of a new organisation.")
        parser.add_argument("--municipality", default="", help="The new organisation's municipality.")
        parser.add_argument("--slug", required=True, help="The unit's address: /<slug>/.")
        parser.add_argument("--name", required=True)
        parser.add_argument("--kind", required=True, choices=Unit.Kind.values)
        parser.add_argument("--country", choices=Country.values, help="Default: the organisation's country.")
        parser.add_argument("--language", choices=["sv", "da"], default="", help="Default: the country's.")
        parser.add_argument("--record-mode", choices=Unit.RecordMode.values, default="",
                            help="Default: the kind's.")
        parser.add_argument("--period-kind", choices=Unit.PeriodKind.values, default="",
                            help="Default: the kind's.")
        parser.add_argument("--chief-email", required=True, help="The first unit chief, invited by e-mail.")

    def handle(self, *args, **options):
        try:
            with transaction.atomic():
                organisation = Organisation.objects.select_related("municipality").filter(slug=options["org"]).first()
                if organisation is None:
                    if not (options["org_name"] and options["municipality"]):
                        raise CommandError(f"No organisation with the slug {options['org']}: give --org-name and "
                                           f"--municipality to create it.")
                    organisation = onboarding.organisation_create(
                        slug=options["org"], name=options["org_name"], municipality_name=options["municipality"],
                        country=options["country"] or Country.SE, acting_user=None)
                unit, invitation = onboarding.unit_create(
                    organisation=organisation, slug=options["slug"], name=options["name"], kind=options["kind"],
                    country=options["country"] or organisation.municipality.country, language=options["language"],
                    record_mode=options["record_mode"], period_kind=options["period_kind"],
                    chief_email=options["chief_email"], acting_user=None)
        except ValidationError as error:
            raise CommandError("Nothing was created. " + "; ".join(_messages(error))) from None
        self.stdout.write(self.style.SUCCESS(
            f"Created {unit.slug} ({unit.get_kind_display()}, {unit.record_mode}, {unit.period_kind}, "
            f"{unit.language}) in {organisation.slug}."))
        self.stdout.write(f"Invitation for {invitation.email}: {invitation.link}")


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()]
    return error.messages
