import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from referrals.services import assignment, workflow
from referrals.tests.factories import ReferralFactory

INBOX = reverse("referrals:inbox")


@pytest.fixture
def inbox_referrals(partnership, clinic, other_clinic):
    return {
        "spanish_food": ReferralFactory(
            partnership=partnership,
            clinic=clinic,
            patient__first_name="Ana",
            patient__preferred_language="es",
            social_needs=["food-insecurity"],
        ),
        "vietnamese_housing": ReferralFactory(
            partnership=partnership,
            clinic=other_clinic,
            patient__first_name="Bao",
            patient__preferred_language="vi",
            social_needs=["housing-instability"],
            urgency="urgent",
        ),
    }


def names(response):
    return [r.patient.first_name for r in response.context["page_obj"]]


def test_urgent_referrals_come_first(login, supervisor, inbox_referrals):
    assert names(login(supervisor).get(INBOX)) == ["Bao", "Ana"]


@pytest.mark.parametrize(
    "query,expected",
    [
        ({"language": "vi"}, ["Bao"]),
        ({"need": "food-insecurity"}, ["Ana"]),
        ({"urgency": "routine"}, ["Ana"]),
    ],
)
def test_inbox_filters(login, supervisor, inbox_referrals, query, expected):
    assert names(login(supervisor).get(INBOX, query)) == expected


def test_filter_by_clinic(login, supervisor, inbox_referrals, other_clinic):
    response = login(supervisor).get(INBOX, {"clinic": other_clinic.pk})
    assert names(response) == ["Bao"]


def test_assigned_referrals_leave_the_inbox(
    login, supervisor, navigator, inbox_referrals
):
    assignment.referral_assign(
        referral=inbox_referrals["spanish_food"], actor=supervisor, navigator=navigator
    )
    assert names(login(supervisor).get(INBOX)) == ["Bao"]


def test_overdue_counts_use_business_days(login, supervisor, partnership):
    # Submitted Friday 10:00 in Portland; accepting is due within 1 business day.
    friday = datetime.datetime(2026, 11, 20, 18, 0, tzinfo=datetime.UTC)
    with time_machine.travel(friday, tick=False):
        referral = ReferralFactory(partnership=partnership, submitted_at=timezone.now())
    monday_morning = datetime.datetime(2026, 11, 23, 17, 0, tzinfo=datetime.UTC)
    with time_machine.travel(monday_morning, tick=False):
        counts = login(supervisor).get(INBOX).context["counts"]
        assert counts["overdue_acceptance"] == 0
    tuesday = datetime.datetime(2026, 11, 24, 19, 0, tzinfo=datetime.UTC)
    with time_machine.travel(tuesday, tick=False):
        response = login(supervisor).get(INBOX)
        assert response.context["counts"]["overdue_acceptance"] == 1
        assert response.context["page_obj"][0].is_overdue == 1
        workflow.referral_transition(referral=referral, actor=supervisor, name="accept")
        counts = login(supervisor).get(INBOX).context["counts"]
        assert counts["overdue_acceptance"] == 0
        assert counts["waiting_assignment"] == 1


def test_inbox_queries_stay_constant(
    login, supervisor, partnership, django_assert_max_num_queries
):
    ReferralFactory.create_batch(30, partnership=partnership)
    client = login(supervisor)
    # session, user, organization, time zone (x2), the partnerships' closed days,
    # clinics for the filter, count, page, the page's patients, counts aggregate,
    # session save (3)
    with django_assert_max_num_queries(15):
        response = client.get(INBOX)
    assert len(response.context["page_obj"].object_list) == 25


def test_caseload_shows_overdue_first_and_next_step(
    login, supervisor, navigator, partnership
):
    with time_machine.travel(
        datetime.datetime(2026, 11, 2, 17, 0, tzinfo=datetime.UTC)
    ):
        old = ReferralFactory(partnership=partnership, patient__first_name="Old")
        assignment.referral_assign(referral=old, actor=supervisor, navigator=navigator)
    new = ReferralFactory(partnership=partnership, patient__first_name="New")
    assignment.referral_assign(referral=new, actor=supervisor, navigator=navigator)
    response = login(navigator).get(reverse("referrals:caseload"))
    rows = list(response.context["page_obj"])
    assert [r.patient.first_name for r in rows] == ["Old", "New"]
    assert rows[0].is_overdue == 1 and rows[1].is_overdue == 0
    content = response.content.decode()
    assert "First contact overdue" in content
    assert "Make first contact" in content


def test_caseload_queries_stay_constant(
    login, supervisor, navigator, partnership, django_assert_max_num_queries
):
    for _ in range(30):
        referral = ReferralFactory(partnership=partnership)
        assignment.referral_assign(
            referral=referral, actor=supervisor, navigator=navigator
        )
    client = login(navigator)
    # session, user, organization, the partnerships, their contracts and closed
    # days, count, page (with each row's next step), access record, session
    # save (3)
    with django_assert_max_num_queries(12):
        client.get(reverse("referrals:caseload"))
