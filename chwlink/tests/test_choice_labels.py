"""Choice labels read the same as Django's, in the reader's language."""

from django.utils import translation

from referrals.models import Notification
from referrals.tests.factories import PatientFactory, ReferralFactory


def test_a_referrals_status_reads_in_the_readers_language(partnership):
    referral = ReferralFactory(partnership=partnership)
    assert referral.get_status_display() == "Submitted"
    with translation.override("es"):
        assert referral.get_status_display() == "Enviado"
    assert referral.get_status_display() == "Submitted"
    referral.status = "no-such-status"
    assert referral.get_status_display() == "no-such-status"


def test_a_patients_language_reads_in_the_readers_language(partnership):
    patient = PatientFactory(
        health_system=partnership.health_system, preferred_language="es"
    )
    assert patient.get_preferred_language_display() == "Spanish"
    with translation.override("es"):
        assert patient.get_preferred_language_display() == "Español"


def test_a_notifications_kind_reads_as_its_label(navigator):
    note = Notification(recipient=navigator, kind=Notification.Kind.ASSIGNED_TO_YOU)
    assert str(note) == str(Notification.Kind.ASSIGNED_TO_YOU.label)
    assert isinstance(note.get_kind_display(), str)
    assert navigator.get_role_display() == "Navigator"
