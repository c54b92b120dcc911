"""Load a screening instrument (a new one, a new version or a translation) from a
file in chwlink's instrument format: ``manage.py screening_instrument_load FILE``."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from referrals.screening.definition import InstrumentInvalid, instrument_from_text
from referrals.screening.services import ScreeningRefused, instrument_load


class Command(BaseCommand):
    help = "Load a screening instrument file and offer it for new screenings."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        try:
            instrument = instrument_from_text(text)
            row = instrument_load(data=json.loads(text))
        except (InstrumentInvalid, ScreeningRefused) as error:
            raise CommandError(f"{file}: {error}") from None
        languages = ", ".join(instrument.languages)
        self.stdout.write(f"Loaded {row} (languages: {languages}).")
