from django.core.management import call_command

from evaluation.demo import seed_evaluation
from evaluation.models import PamAdministration, Story, UtilizationRecord


def test_demo_evaluation_data_loads_once(db):
    call_command("seed_demo", verbosity=0)
    seed_evaluation()
    counts = (
        PamAdministration.objects.count(),
        Story.objects.count(),
        UtilizationRecord.objects.count(),
    )
    seed_evaluation()
    assert counts == (
        PamAdministration.objects.count(),
        Story.objects.count(),
        UtilizationRecord.objects.count(),
    )
    assert counts[0] > 0 and counts[1] > 0 and counts[2] > 0
    assert Story.objects.filter(withdrawn_at__isnull=False).count() == 1
