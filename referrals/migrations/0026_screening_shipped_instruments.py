"""The two instruments chwlink ships (Hunger Vital Sign, AHC HRSN core items), as
their files stood when this migration was written; later versions are loaded with
``manage.py screening_instrument_load``."""

import json
from pathlib import Path

from django.db import migrations

FILES = ("hunger-vital-sign.json", "ahc-hrsn-core.json")
FOLDER = Path(__file__).resolve().parent.parent / "screening" / "instruments"


def load(apps, schema_editor):
    Instrument = apps.get_model("referrals", "ScreeningInstrument")
    for name in FILES:
        data = json.loads((FOLDER / name).read_text())
        Instrument.objects.get_or_create(
            code=data["code"],
            version=data["version"],
            defaults={"title": data["title"]["en"], "definition": data},
        )


def unload(apps, schema_editor):
    Instrument = apps.get_model("referrals", "ScreeningInstrument")
    Instrument.objects.filter(screenings__isnull=True, loaded_by=None).delete()


class Migration(migrations.Migration):
    dependencies = [("referrals", "0025_screening")]
    operations = [migrations.RunPython(load, unload)]
