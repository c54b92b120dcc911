"""Contact notes are the CBO's working notes: its supervisors and navigators read
them on the referral page; the clinic and program managers see only that a contact
happened."""

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.services import contacts
from referrals.tests.states import in_progress_referral

NOTE = "Prefers calls after five; daughter interprets."


@pytest.fixture
def worked(supervisor, navigator, clinic_user):
    referral = in_progress_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )
    contacts.encounter_log(
        referral=referral,
        actor=navigator,
        occurred_at=timezone.now(),
        mode="phone",
        reached=True,
        minutes=12,
        note=NOTE,
    )
    return referral


@pytest.mark.parametrize(
    ("person", "reads_notes"),
    [
        ("supervisor", True),
        ("navigator", True),
        ("clinic_user", False),
        ("manager", False),
    ],
)
def test_who_reads_the_contact_notes(request, login, worked, person, reads_notes):
    client = login(request.getfixturevalue(person))
    page = client.get(reverse("referrals:referral-detail", args=[worked.code]))
    assert page.status_code == 200
    assert (NOTE in page.content.decode()) is reads_notes
