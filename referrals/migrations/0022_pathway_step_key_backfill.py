"""Steps opened before default steps were stored by key: a step whose title is a
default step's English or Spanish text (for its pathway's kind) gets that key, so
it shows in each reader's language; a step typed by a person keeps no key."""

from django.db import migrations
from django.utils import translation


def _texts_by_kind():
    from referrals.pathways import DEFAULT_STEPS, default_steps_keyed

    kinds = {}
    for kind in [*DEFAULT_STEPS, None]:
        found = {}
        for language in ("en", "es"):
            with translation.override(language):
                for key, text in default_steps_keyed(kind):
                    found.setdefault(str(text).strip(), key)
        kinds[kind] = found
    return kinds


def backfill(apps, schema_editor):
    PathwayStep = apps.get_model("referrals", "PathwayStep")
    texts = _texts_by_kind()
    steps = PathwayStep.objects.filter(key="").select_related("pathway")
    changed = []
    for step in steps.iterator(chunk_size=2000):
        known = texts.get(step.pathway.kind, texts[None])
        key = known.get(step.title.strip())
        if key:
            step.key = key
            changed.append(step)
    PathwayStep.objects.bulk_update(changed, ["key"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0021_pathway_step_key")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
