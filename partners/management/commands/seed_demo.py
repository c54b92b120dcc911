from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from evaluation.demo import seed_evaluation
from evaluation.demo_history import seed_history
from partners import demo
from partners.demo_partnership import seed_partnership_setup
from referrals.demo import seed_referrals


class Command(BaseCommand):
    help = "Load demo partnerships, people, patients and referrals (not in production)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo data never loads in production mode.")
        with transaction.atomic():
            summary = demo.seed_demo()
            seed_referrals()
            # Before the setup, whose statements bill the history's pathways.
            seed_history(timezone.localdate())
            seed_partnership_setup()
            seed_evaluation()
        self.stdout.write(self.style.SUCCESS(summary))
