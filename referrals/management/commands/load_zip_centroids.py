"""Load ZIP code centroids from the US Census ZCTA gazetteer file (public domain:
https://www.census.gov/geographies/reference-files/time-series/geo/gazetteer-files.html,
"ZIP Code Tabulation Areas", tab-separated with GEOID, INTPTLAT, INTPTLONG).
Loading again replaces each ZIP's point."""

import csv

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from referrals.models import ZipCentroid


class Command(BaseCommand):
    help = "Load ZIP code centroids (Census ZCTA gazetteer) for 'near this ZIP'."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the gazetteer file (.txt, tab-separated)")

    def handle(self, *args, path, **options):
        rows = []
        with open(path, encoding="utf-8-sig", newline="") as source:
            reader = csv.DictReader(source, delimiter="\t")
            reader.fieldnames = [name.strip() for name in reader.fieldnames or []]
            missing = {"GEOID", "INTPTLAT", "INTPTLONG"} - set(reader.fieldnames)
            if missing:
                raise CommandError(f"Not a ZCTA gazetteer file: no {sorted(missing)}")
            for number, row in enumerate(reader, start=2):
                try:
                    latitude = float(row["INTPTLAT"])
                    longitude = float(row["INTPTLONG"])
                except (TypeError, ValueError):
                    raise CommandError(f"Line {number}: no coordinates") from None
                rows.append(
                    ZipCentroid(
                        zip_code=row["GEOID"].strip()[:5],
                        latitude=latitude,
                        longitude=longitude,
                    )
                )
        with transaction.atomic():
            ZipCentroid.objects.bulk_create(
                rows,
                batch_size=2000,
                update_conflicts=True,
                unique_fields=["zip_code"],
                update_fields=["latitude", "longitude"],
            )
        self.stdout.write(f"{len(rows)} ZIP code centroids loaded.")
