"""Questions that allow several answers ("check all that apply"): a screening has
a row per answer chosen. Ships version 2 of the AHC HRSN core items, which adds
the living situation's second question (LOINC 96778-6, problems with the place
you live) and is offered from now on; version 1 stays for the screenings made
with it."""

import json
from pathlib import Path

from django.db import migrations, models

FILE = Path(__file__).resolve().parent.parent / "screening" / "instruments"
FILE = FILE / "ahc-hrsn-core-v2.json"


def load(apps, schema_editor):
    Instrument = apps.get_model("referrals", "ScreeningInstrument")
    data = json.loads(FILE.read_text(encoding="utf-8"))
    versions = Instrument.objects.filter(code=data["code"])
    if versions.filter(version=data["version"]).exists():
        return
    versions.update(active=False)
    Instrument.objects.create(
        code=data["code"],
        version=data["version"],
        title=data["title"]["en"],
        definition=data,
        active=True,
    )


def unload(apps, schema_editor):
    Instrument = apps.get_model("referrals", "ScreeningInstrument")
    data = json.loads(FILE.read_text(encoding="utf-8"))
    Instrument.objects.filter(
        code=data["code"],
        version=data["version"],
        screenings__isnull=True,
        loaded_by=None,
    ).delete()
    versions = Instrument.objects.filter(code=data["code"])
    if not versions.filter(active=True).exists():
        latest = versions.order_by("-created").first()
        if latest is not None:
            versions.filter(pk=latest.pk).update(active=True)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0031_text_messages")]

    operations = [
        migrations.RemoveConstraint(
            model_name="screeninganswer", name="screening_answer_once"
        ),
        migrations.AddConstraint(
            model_name="screeninganswer",
            constraint=models.UniqueConstraint(
                fields=("screening", "item_code", "answer_code"),
                name="screening_answer_once",
            ),
        ),
        migrations.RunPython(load, unload),
    ]
