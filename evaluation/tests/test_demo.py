from django.core.management import call_command

from evaluation.demo import seed_evaluation
from evaluation.models import PamAdministration, Story, UtilizationRecord
from referrals.models import Screening


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


def test_demo_has_a_screening_pair_for_the_dashboard(db):
    call_command("seed_demo", verbosity=0)
    settings = set(Screening.objects.values_list("setting", flat=True))
    assert settings == {"first_contact", "closure"}
    assert Screening.objects.exclude(confirmed_domains=[]).exists()
