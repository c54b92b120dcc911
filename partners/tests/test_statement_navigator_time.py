"""Navigator time per patient per month against the CHI codes G0019 / G0022."""

import datetime

import pytest
from django.urls import reverse

from partners.statements import navigator_time_by_patient_month
from referrals.services import assignment, contacts, workflow
from referrals.tests.factories import ReferralFactory


@pytest.fixture
def worked(partnership, clinic, supervisor, navigator, time_machine):
    time_machine.move_to("2026-03-01 18:00:00+00:00")
    referral = ReferralFactory(partnership=partnership, clinic=clinic)
    workflow.referral_transition(referral=referral, actor=supervisor, name="accept")
    referral = assignment.referral_assign(
        referral=referral, actor=supervisor, navigator=navigator
    )

    def log(day, minutes):
        contacts.encounter_log(
            referral=referral,
            actor=navigator,
            occurred_at=datetime.datetime(2026, 3, day, 19, tzinfo=datetime.UTC),
            mode="phone",
            reached=True,
            minutes=minutes,
        )

    time_machine.move_to("2026-03-20 18:00:00+00:00")
    return referral, log


def test_minutes_are_summed_per_patient_and_month(partnership, worked):
    referral, log = worked
    log(2, 45)
    log(9, 50)
    log(16, 40)
    [row] = navigator_time_by_patient_month(partnership=partnership)
    assert row["minutes"] == 135
    assert row["g0019"] == 1
    assert row["g0022"] == 2  # 75 minutes beyond the first hour: two full units


def test_under_an_hour_qualifies_for_nothing(partnership, worked):
    _referral, log = worked
    log(2, 59)
    [row] = navigator_time_by_patient_month(partnership=partnership)
    assert (row["g0019"], row["g0022"]) == (0, 0)


def test_the_page_shows_the_month_and_the_codes(
    login, partnership, worked, manager, outsiders
):
    _referral, log = worked
    log(2, 95)
    url = reverse("partners:navigator-time", args=[partnership.code])
    content = login(manager).get(url).content.decode()
    assert "March 2026" in content
    assert "Qualifies" in content
    assert login(outsiders["program_manager"]).get(url).status_code == 404
