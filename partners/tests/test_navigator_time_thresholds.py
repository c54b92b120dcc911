"""Navigator time per patient and month exactly at the G0019 / G0022 thresholds, the
month's edges in the partnership's time zone, and one row per patient."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from partners.statements import navigator_time_by_patient_month
from referrals.services import assignment, contacts, workflow
from referrals.tests.factories import ReferralFactory

# Neither UTC nor the server's default zone (Los Angeles).
EASTERN = zoneinfo.ZoneInfo("America/New_York")


@pytest.fixture
def partnership(partnership):
    partnership.time_zone = "America/New_York"
    partnership.save()
    return partnership


@pytest.fixture
def worked(partnership, clinic, supervisor, navigator, time_machine):
    """A referral the navigator works from 1 March, and a way to log contacts."""
    time_machine.move_to("2026-03-01 09:00:00+00:00")

    def new_referral(**fields):
        referral = ReferralFactory(partnership=partnership, clinic=clinic, **fields)
        workflow.referral_transition(referral=referral, actor=supervisor, name="accept")
        return assignment.referral_assign(
            referral=referral, actor=supervisor, navigator=navigator
        )

    referral = new_referral()
    time_machine.move_to("2026-04-20 18:00:00+00:00")

    def log(
        minutes, occurred_at=datetime.datetime(2026, 3, 10, 19, tzinfo=EASTERN), on=None
    ):
        return contacts.encounter_log(
            referral=on or referral,
            actor=navigator,
            occurred_at=occurred_at,
            mode="phone",
            reached=True,
            minutes=minutes,
        )

    log.new_referral = new_referral
    log.referral = referral
    return log


def codes(partnership):
    return [
        (row["minutes"], row["g0019"], row["g0022"])
        for row in navigator_time_by_patient_month(partnership=partnership)
    ]


@pytest.mark.parametrize(
    ("minutes", "g0019", "g0022"),
    [
        (1, 0, 0),
        (29, 0, 0),
        (59, 0, 0),
        (60, 1, 0),
        (89, 1, 0),
        (90, 1, 1),
        (119, 1, 1),
        (120, 1, 2),
    ],
)
def test_the_codes_at_each_threshold(partnership, worked, minutes, g0019, g0022):
    worked(minutes)
    assert codes(partnership) == [(minutes, g0019, g0022)]


def test_an_hour_made_of_several_contacts_qualifies(partnership, worked):
    worked(30)
    worked(30)
    assert codes(partnership) == [(60, 1, 0)]


def test_months_are_cut_at_midnight_in_the_partnerships_time_zone(partnership, worked):
    # 31 March 23:30 in New York is 1 April in UTC: still March's time; midnight
    # on 1 April there is still March in Los Angeles: April's time.
    worked(40, datetime.datetime(2026, 3, 31, 23, 30, tzinfo=EASTERN))
    worked(20, datetime.datetime(2026, 3, 2, 10, tzinfo=EASTERN))
    worked(45, datetime.datetime(2026, 4, 1, 0, 0, tzinfo=EASTERN))
    rows = list(navigator_time_by_patient_month(partnership=partnership))
    assert [(row["month"], row["minutes"]) for row in rows] == [
        (datetime.date(2026, 4, 1), 45),
        (datetime.date(2026, 3, 1), 60),
    ]
    assert rows[1]["g0019"] == 1


def test_each_patient_has_a_row_of_their_own(partnership, worked):
    from referrals.tests.factories import PatientFactory

    other = worked.new_referral(
        patient=PatientFactory(
            health_system=partnership.health_system,
            first_name="Zoe",
            last_name="Zapata",
            mrn="Z-1",
        )
    )
    april = datetime.datetime(2026, 4, 20, 18, tzinfo=datetime.UTC)
    worked(70, april)
    worked(25, april, on=other)
    rows = list(navigator_time_by_patient_month(partnership=partnership))
    assert len(rows) == 2
    by_mrn = {row["referral__patient__mrn"]: row["minutes"] for row in rows}
    assert by_mrn["Z-1"] == 25
    assert sorted(by_mrn.values()) == [25, 70]


def test_patients_are_listed_by_last_name_within_a_month(partnership, worked):
    from referrals.tests.factories import PatientFactory

    def patient(last_name, mrn):
        return PatientFactory(
            health_system=partnership.health_system,
            first_name="Ana",
            last_name=last_name,
            mrn=mrn,
        )

    # Entered before the earlier names of the alphabet.
    zapata = worked.new_referral(patient=patient("Zapata", "Z-1"))
    abad = worked.new_referral(patient=patient("Abad", "A-1"))
    now = datetime.datetime(2026, 4, 20, 18, tzinfo=datetime.UTC)
    worked(30, now, on=zapata)
    worked(30, now, on=abad)
    rows = navigator_time_by_patient_month(partnership=partnership)
    assert [row["referral__patient__last_name"] for row in rows] == ["Abad", "Zapata"]


def test_only_contacts_from_the_given_moment_count(partnership, worked):
    since = datetime.datetime(2026, 3, 10, 19, tzinfo=EASTERN)
    worked(50, since - datetime.timedelta(minutes=1))
    worked(15, since)
    rows = navigator_time_by_patient_month(partnership=partnership, since=since)
    assert [row["minutes"] for row in rows] == [15]


def test_another_partnerships_time_is_not_counted(partnership, worked, outsiders):
    worked(60)
    from partners.models import Partnership

    other = Partnership.objects.exclude(pk=partnership.pk).get()
    assert list(navigator_time_by_patient_month(partnership=other)) == []


def test_the_page_shows_minutes_and_units_per_patient(
    login, partnership, worked, manager
):
    worked(90)
    url = reverse("partners:navigator-time", args=[partnership.code])
    content = login(manager).get(url).content.decode()
    assert "March 2026" in content
    assert "Qualifies" in content
    patient = worked.referral.patient
    assert ">90<" in content
    assert f"{patient.first_name} {patient.last_name}" in content
    assert patient.mrn in content
