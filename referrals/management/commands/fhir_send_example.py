from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from partners.models import Partnership, Site
from referrals.fhir import demo_sender
from referrals.fhir.remote import RemoteError


class Command(BaseCommand):
    help = (
        "Act as a clinic's EHR: send one HL7 Gravity referral to a running chwlink "
        "(the demo's), to watch it arrive in the CBO's inbox (not in production)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--url",
            default=settings.SITE_URL,
            help="chwlink's address (default: SITE_URL, e.g. http://127.0.0.1:8000)",
        )
        parser.add_argument(
            "--partnership",
            help="the partnership's name (default: the first active one)",
        )

    def handle(self, *args, url, partnership, **options):
        if settings.PRODUCTION:
            raise CommandError("The demo EHR never sends in production mode.")
        found = Partnership.objects.select_related("cbo")
        found = found.filter(name=partnership) if partnership else found.order_by("pk")
        chosen = found.first()
        # No clinics named: every clinic of the health system refers.
        clinic = chosen and (
            chosen.clinics.order_by("pk").first()
            or Site.objects.filter(organization=chosen.health_system_id)
            .order_by("pk")
            .first()
        )
        if clinic is None:
            raise CommandError("No partnership with a clinic: run `make run` first.")
        key_file = Path(settings.BASE_DIR) / "var" / "demo-ehr" / "private-key.pem"
        client, key = demo_sender.demo_ehr(clinic, key_file)
        bundle, source = demo_sender.example_bundle(chosen.cbo.code)
        try:
            answer = demo_sender.example_send(url, client, key, bundle)
        except RemoteError as error:
            raise CommandError(
                f"chwlink at {url} did not take the referral: {error}"
            ) from None
        location = answer["entry"][0]["response"]["location"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Sent as {client.name} of {clinic.name} ({source}): {location}.\n"
                f"It waits in {chosen.cbo.name}'s inbox at {url}/referrals/inbox/."
            )
        )
