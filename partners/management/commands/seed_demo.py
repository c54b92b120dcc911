from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from partners import demo


class Command(BaseCommand):
    help = "Load the demo partnerships, people and patients (never in production)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo data never loads in production mode.")
        with transaction.atomic():
            summary = demo.seed_demo()
        self.stdout.write(self.style.SUCCESS(summary))
