"""Automatic texts: each on or off per partnership, sent once however many sweeps
run at once, and only in the partnership's sending hours, in its time zone."""

import datetime
import threading
import zoneinfo

import pytest
from django.db import connection

from referrals.models import PartnershipTexting, ReminderClaim, TextMessage
from referrals.tests import states
from referrals.tests.texting import texting_referral
from referrals.texting import conversation
from referrals.texting.automatic import texts_automatic_sweep, within_sending_hours

Kind = TextMessage.Kind
UTC = datetime.UTC


def automatic(kind):
    return list(TextMessage.objects.filter(kind=kind))


@pytest.fixture
def referral(clinic_user, supervisor, navigator):
    referral = texting_referral(
        clinic_user=clinic_user, supervisor=supervisor, navigator=navigator
    )
    PartnershipTexting.objects.filter(partnership=referral.partnership).update(
        on_assigned=True, on_visit=True, on_hold=True, hold_check_in_days=7
    )
    return referral


@pytest.mark.django_db
def test_navigator_assigned_text_goes_once_in_the_patients_language(referral):
    assert texts_automatic_sweep() == 1
    assert texts_automatic_sweep() == 0
    [text] = automatic(Kind.AUTO_ASSIGNED)
    assert text.phone == referral.patient.phone
    assert "Nadia de Home CBO se comunicará con usted pronto" in text.body
    assert referral.patient.last_name not in text.body


@pytest.mark.django_db
def test_each_automatic_text_is_off_unless_the_partnership_turns_it_on(referral):
    PartnershipTexting.objects.update(on_assigned=False, on_visit=False, on_hold=False)
    assert texts_automatic_sweep() == 0


@pytest.mark.django_db
def test_no_automatic_text_without_consent(clinic_user, supervisor, navigator):
    referral = texting_referral(
        clinic_user=clinic_user,
        supervisor=supervisor,
        navigator=navigator,
        consent=False,
    )
    PartnershipTexting.objects.filter(partnership=referral.partnership).update(
        on_assigned=True
    )
    assert texts_automatic_sweep() == 0
    assert not ReminderClaim.objects.exists()


@pytest.mark.django_db
def test_a_visit_reminder_goes_within_the_hours_before_the_visit(referral, navigator):
    PartnershipTexting.objects.update(on_assigned=False, visit_reminder_hours=24)
    now = datetime.datetime.now(UTC)
    later = conversation.visit_schedule(
        actor=navigator, referral=referral, starts_at=now + datetime.timedelta(days=3)
    )
    soon = conversation.visit_schedule(
        actor=navigator, referral=referral, starts_at=now + datetime.timedelta(hours=20)
    )
    assert texts_automatic_sweep(now) == 1
    [text] = automatic(Kind.AUTO_VISIT)
    assert ReminderClaim.objects.filter(object_code=soon.code).exists()
    assert not ReminderClaim.objects.filter(object_code=later.code).exists()
    assert "Home CBO" in text.body


@pytest.mark.django_db
def test_a_check_in_after_n_days_on_hold(clinic_user, supervisor, navigator):
    held = states.on_hold_referral(
        clinic_user=clinic_user, supervisor=supervisor, navigator=navigator
    )
    texting_referral(
        clinic_user=clinic_user, supervisor=supervisor, navigator=navigator
    )
    from referrals.texting.consent import consent_record

    consent_record(actor=navigator, referral=held, given=True, method="verbal")
    PartnershipTexting.objects.update(on_hold=True, hold_check_in_days=7)
    now = datetime.datetime.now(UTC)
    assert texts_automatic_sweep(now + datetime.timedelta(days=6)) == 0
    assert texts_automatic_sweep(now + datetime.timedelta(days=7, hours=1)) == 1
    assert texts_automatic_sweep(now + datetime.timedelta(days=8)) == 0
    [text] = automatic(Kind.AUTO_HOLD)
    assert text.referral == held


@pytest.mark.django_db
@pytest.mark.parametrize(
    "zone, utc_hour, inside",
    [
        # 9:00-19:00 local; 16:59 UTC is 8:59 in Portland (winter), 11:59 in NY.
        ("America/Los_Angeles", (16, 59), False),
        ("America/Los_Angeles", (17, 0), True),
        ("America/New_York", (16, 59), True),
        ("America/New_York", (23, 59), True),
        ("America/New_York", (0, 0), False),
        ("America/Los_Angeles", (2, 59), True),
        ("America/Los_Angeles", (3, 0), False),
    ],
)
def test_sending_hours_are_the_partnerships_own_in_its_time_zone(
    referral, zone, utc_hour, inside
):
    referral.partnership.time_zone = zone
    referral.partnership.save()
    PartnershipTexting.objects.update(
        send_from=datetime.time(9, 0), send_until=datetime.time(19, 0)
    )
    setup = PartnershipTexting.objects.select_related("partnership").get()
    moment = datetime.datetime(2026, 12, 2, *utc_hour, tzinfo=UTC)
    assert within_sending_hours(setup, moment) is inside
    sent = texts_automatic_sweep(moment)
    assert bool(sent) is inside
    local = moment.astimezone(zoneinfo.ZoneInfo(zone))
    assert (9 <= local.hour < 19) is inside


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_automatic_text_once(referral):
    barrier = threading.Barrier(2)
    counts, errors = [], []

    def sweep():
        try:
            barrier.wait(timeout=10)
            counts.append(texts_automatic_sweep())
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(counts) == [0, 1]
    assert len(automatic(Kind.AUTO_ASSIGNED)) == 1
    assert ReminderClaim.objects.filter(rule="text_assigned").count() == 1
