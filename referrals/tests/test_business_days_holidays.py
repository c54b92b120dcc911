"""Public holidays and a partnership's closed days are not business days: the
caseload, the inbox, the dashboard and the reminders agree on when work is late."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from partners.models import ClosedDay
from partners.services import closed_day_add
from referrals import selectors
from referrals.services import reminders, timeliness
from referrals.tests.states import assigned_referral, at, submitted_referral

ZONE = zoneinfo.ZoneInfo("America/Los_Angeles")
# Thursday 2 July 2026; Friday 3 July is Independence Day observed.
THURSDAY = datetime.datetime(2026, 7, 2, 10, tzinfo=ZONE)


def moment(day, hour=10):
    return datetime.datetime(2026, 7, day, hour, tzinfo=ZONE)


@pytest.fixture
def us_partnership(partnership):
    partnership.holiday_country = "US"
    partnership.holiday_subdivision = "OR"
    partnership.save()
    return partnership


def test_the_business_day_function_skips_holidays_and_closed_days():
    closed = frozenset({datetime.date(2026, 7, 3), datetime.date(2026, 7, 6)})
    due = timeliness.business_days_after(
        THURSDAY, 1, "America/Los_Angeles", None, closed
    )
    assert due == moment(7)
    assert (
        timeliness.business_days_before(
            moment(7), 1, "America/Los_Angeles", None, closed
        )
        == THURSDAY
    )
    assert not timeliness.is_business_day(datetime.date(2026, 7, 3), None, closed)


def late_everywhere(login, manager, supervisor, navigator, when):
    with time_machine.travel(when, tick=False):
        caseload = [
            r.is_overdue for r in selectors.caseload_for_navigator(user=navigator)
        ]
        inbox = selectors.inbox_counts_for_supervisor(user=supervisor)
        dashboard = login(manager).get("/evaluation/").context["data"]["figures"]
        sent = reminders.reminders_sweep(now=when)
    return caseload, inbox["overdue_acceptance"], dashboard["overdue"], sent


def test_the_holiday_moves_every_due_moment_alike(
    login, us_partnership, manager, supervisor, navigator, clinic_user
):
    at(
        THURSDAY,
        assigned_referral,
        supervisor=supervisor,
        navigator=navigator,
        clinic_user=clinic_user,
    )
    at(THURSDAY, submitted_referral, clinic_user=clinic_user)
    # Three business days for the first contact skip Friday the 3rd: Wednesday.
    # One to accept: Monday the 6th, not Friday.
    assert late_everywhere(login, manager, supervisor, navigator, moment(3, 12)) == (
        [False],
        0,
        0,
        0,
    )
    caseload, inbox, overdue, _sent = late_everywhere(
        login, manager, supervisor, navigator, moment(6)
    )
    assert (caseload, inbox, overdue) == ([False], 1, 1)
    assert late_everywhere(login, manager, supervisor, navigator, moment(7)) == (
        [False],
        1,
        1,
        0,
    )
    caseload, inbox, overdue, sent = late_everywhere(
        login, manager, supervisor, navigator, moment(8)
    )
    assert (caseload, inbox, overdue, sent) == ([True], 1, 2, 1)


def test_a_closed_day_the_partnership_adds_counts_too(
    us_partnership, manager, supervisor, navigator, clinic_user
):
    closed_day_add(
        actor=manager,
        partnership=us_partnership,
        day=datetime.date(2026, 7, 6),
        name="Staff training",
    )
    at(
        THURSDAY,
        assigned_referral,
        supervisor=supervisor,
        navigator=navigator,
        clinic_user=clinic_user,
    )
    for when, late in [(moment(8), False), (moment(9), True)]:
        with time_machine.travel(when, tick=False):
            rows = selectors.caseload_for_navigator(user=navigator)
            assert [r.is_overdue for r in rows] == [late]


def test_a_partnership_without_a_calendar_counts_the_holiday(
    partnership, supervisor, navigator, clinic_user
):
    at(
        THURSDAY,
        assigned_referral,
        supervisor=supervisor,
        navigator=navigator,
        clinic_user=clinic_user,
    )
    with time_machine.travel(moment(7), tick=False):
        rows = selectors.caseload_for_navigator(user=navigator)
        assert [r.is_overdue for r in rows] == [True]


# The closed-days page


def days_url(partnership):
    return reverse("partners:closed-days", args=[partnership.code])


def test_a_manager_adds_and_removes_a_closed_day(login, us_partnership, manager):
    client = login(manager)
    assert not client.get(days_url(us_partnership)).context["form"].is_bound
    page = client.post(
        days_url(us_partnership), {"day": "2026-12-24", "name": "Christmas Eve"}
    )
    assert page.status_code == 302
    assert list(ClosedDay.objects.values_list("day", "name")) == [
        (datetime.date(2026, 12, 24), "Christmas Eve")
    ]
    again = client.post(
        days_url(us_partnership), {"day": "2026-12-24", "name": "Typed again"}
    )
    assert again.context["form"].errors == {"day": ["This day is already closed."]}
    assert "Typed again" in again.content.decode()
    client.post(days_url(us_partnership), {"remove": "2026-12-24"})
    client.post(days_url(us_partnership), {"remove": "not a day"})
    assert not ClosedDay.objects.exists()


def test_supervisors_read_but_do_not_change_closed_days(
    login, us_partnership, supervisor, navigator
):
    for person in (supervisor, navigator):
        response = login(person).post(
            days_url(us_partnership), {"day": "2026-12-24", "name": "x"}
        )
        assert response.status_code == 403
    assert not ClosedDay.objects.exists()


def test_managers_of_another_partnership_get_404(login, us_partnership, outsiders):
    client = login(outsiders["program_manager"])
    assert client.get(days_url(us_partnership)).status_code == 404
    response = client.post(days_url(us_partnership), {"day": "2026-12-24", "name": "x"})
    assert response.status_code == 404
    assert not ClosedDay.objects.exists()
