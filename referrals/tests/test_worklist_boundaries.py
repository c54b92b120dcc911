"""Worklists at their edges: who sees which referral, the order of the inbox and the
caseload, and when a row turns overdue (to the minute, as the reminders do)."""

import datetime

import pytest
import time_machine
from django.http import Http404

from partners.models import User
from partners.tests.factories import PartnershipFactory, UserFactory
from referrals import selectors
from referrals.models import Referral
from referrals.services import assignment, workflow
from referrals.tests.factories import ReferralFactory
from referrals.tests.states import PORTLAND, at, contact_at, local, transition_at

Role = User.Role
Status = Referral.Status


@pytest.fixture
def draft(partnership, clinic, clinic_user):
    return ReferralFactory(
        partnership=partnership,
        clinic=clinic,
        referred_by=clinic_user,
        status=Status.DRAFT,
        submitted_at=None,
    )


@pytest.fixture
def submitted(partnership, clinic, clinic_user):
    return ReferralFactory(
        partnership=partnership, clinic=clinic, referred_by=clinic_user
    )


def visible(user):
    return set(selectors.referral_list_for_user(user).values_list("pk", flat=True))


def test_each_role_sees_its_own_referrals(
    partnership,
    draft,
    submitted,
    clinic_user,
    supervisor,
    navigator,
    manager,
    administrator,
    other_partnership,
):
    elsewhere = ReferralFactory(partnership=other_partnership)
    cbo_manager = UserFactory(role=Role.PROGRAM_MANAGER, organization=partnership.cbo)
    assert visible(clinic_user) == {draft.pk, submitted.pk}
    assert visible(supervisor) == {submitted.pk}
    assert visible(manager) == {submitted.pk}
    assert visible(cbo_manager) == {submitted.pk}
    assert visible(navigator) == set()
    assert visible(administrator) == {draft.pk, submitted.pk, elsewhere.pk}


def test_a_navigator_sees_assigned_and_shared_referrals_only(
    partnership, submitted, supervisor, navigator
):
    colleague = UserFactory(role=Role.NAVIGATOR, organization=partnership.cbo)
    mine = ReferralFactory(partnership=partnership)
    ReferralFactory(partnership=partnership)  # in the inbox, shared with no one
    assignment.referral_assign(referral=mine, actor=supervisor, navigator=navigator)
    assignment.referral_assign(
        referral=submitted, actor=supervisor, navigator=colleague
    )
    assert visible(navigator) == {mine.pk}
    assignment.referral_share(referral=submitted, actor=supervisor, navigator=navigator)
    assert visible(navigator) == {mine.pk, submitted.pk}
    assert visible(colleague) == {submitted.pk}
    newcomer = UserFactory(role=Role.NAVIGATOR, organization=partnership.cbo)
    assert visible(newcomer) == set()  # shared with someone else, not with them


def test_an_inactive_user_or_an_unknown_role_sees_nothing(
    partnership, submitted, supervisor
):
    supervisor.is_active = False
    assert visible(supervisor) == set()
    odd = UserFactory(role=Role.SUPERVISOR, organization=partnership.cbo)
    odd.role = "volunteer"
    assert visible(odd) == set()


def test_out_of_scope_gets_are_404(submitted, outsiders, supervisor):
    assert selectors.referral_get_for_user(supervisor, submitted.code) == submitted
    detail = selectors.referral_detail_for_user(supervisor, submitted.code)
    assert detail.pk == submitted.pk
    for user in outsiders.values():
        with pytest.raises(Http404):
            selectors.referral_get_for_user(user, submitted.code)
        with pytest.raises(Http404):
            selectors.referral_detail_for_user(user, submitted.code)


def test_clinic_list_filters_by_clinic_and_status_newest_change_first(
    partnership, clinic, other_clinic, clinic_user, supervisor
):
    north = ReferralFactory(partnership=partnership, clinic=clinic)
    south = ReferralFactory(partnership=partnership, clinic=other_clinic)
    workflow.referral_transition(referral=north, actor=supervisor, name="accept")

    def listed(**filters):
        rows = selectors.clinic_referral_list(user=clinic_user, filters=filters)
        return [row.pk for row in rows]

    assert listed() == [north.pk, south.pk]
    assert listed(clinic=other_clinic) == [south.pk]
    assert listed(statuses=[Status.ACCEPTED]) == [north.pk]


def test_the_inbox_filter_lists_the_clinics_of_partner_health_systems(
    partnership, clinic, other_clinic, outsiders
):
    clinics = selectors.clinics_referring_to_cbo(cbo_id=partnership.cbo_id)
    assert sorted(clinics.values_list("name", flat=True)) == [
        "North Clinic",
        "South Clinic",
    ]


def test_the_inbox_puts_urgent_first_then_the_oldest(partnership, supervisor):
    newer = at(local(2026, 11, 18, 11), ReferralFactory, partnership=partnership)
    older = at(local(2026, 11, 18, 10), ReferralFactory, partnership=partnership)
    urgent = at(
        local(2026, 11, 18, 12),
        ReferralFactory,
        partnership=partnership,
        urgency="urgent",
    )
    rows = selectors.inbox_for_supervisor(user=supervisor)
    assert [row.pk for row in rows] == [urgent.pk, older.pk, newer.pk]


def test_the_inbox_lists_submitted_and_accepted_only(
    partnership, submitted, supervisor, navigator
):
    accepted = workflow.referral_transition(
        referral=ReferralFactory(partnership=partnership),
        actor=supervisor,
        name="accept",
    )
    assigned = ReferralFactory(partnership=partnership)
    assignment.referral_assign(referral=assigned, actor=supervisor, navigator=navigator)
    rows = {row.pk for row in selectors.inbox_for_supervisor(user=supervisor)}
    assert rows == {submitted.pk, accepted.pk}


def test_submitted_before_and_overdue_only_filters(partnership, supervisor):
    early = at(local(2026, 11, 16, 10), ReferralFactory, partnership=partnership)
    at(local(2026, 11, 18, 10), ReferralFactory, partnership=partnership)
    with time_machine.travel(local(2026, 11, 18, 10), tick=False):
        before = selectors.inbox_for_supervisor(
            user=supervisor, filters={"submitted_before": local(2026, 11, 18, 10)}
        )
        overdue = selectors.inbox_for_supervisor(
            user=supervisor, filters={"overdue_only": True}
        )
        assert [row.pk for row in before] == [early.pk]
        assert [(row.pk, row.is_overdue) for row in overdue] == [(early.pk, 1)]


def test_not_assigned_in_time_is_counted_to_the_minute(partnership, supervisor):
    referral = at(local(2026, 11, 18, 9), ReferralFactory, partnership=partnership)
    transition_at(local(2026, 11, 18, 10), referral, supervisor, "accept")

    def counts(moment):
        with time_machine.travel(moment, tick=False):
            figures = selectors.inbox_counts_for_supervisor(user=supervisor)
            rows = [
                row.is_overdue
                for row in selectors.inbox_for_supervisor(user=supervisor)
            ]
        return figures, rows

    figures, rows = counts(local(2026, 11, 19, 9, 59))
    assert (figures["overdue_assignment"], rows) == (0, [0])
    figures, rows = counts(local(2026, 11, 19, 10))
    assert figures == {
        "waiting_acceptance": 0,
        "waiting_assignment": 1,
        "overdue_acceptance": 0,
        "overdue_assignment": 1,
    }
    assert rows == [1]


def overdue_on_caseload(navigator, moment):
    with time_machine.travel(moment, tick=False):
        return [
            (row.pk, row.is_overdue)
            for row in selectors.caseload_for_navigator(user=navigator)
        ]


def test_the_caseload_is_overdue_after_fourteen_quiet_days_exactly(
    navigator, caseload_at
):
    referral = caseload_at(local(2026, 11, 16, 10))
    contact_at(referral, navigator, local(2026, 11, 16, 11))
    assert overdue_on_caseload(navigator, local(2026, 11, 30, 10, 59)) == [
        (referral.pk, 0)
    ]
    assert overdue_on_caseload(navigator, local(2026, 11, 30, 11)) == [(referral.pk, 1)]


def test_first_contact_overdue_on_the_caseload_to_the_minute(navigator, caseload_at):
    referral = caseload_at(local(2026, 11, 16, 10))
    assert overdue_on_caseload(navigator, local(2026, 11, 19, 9, 59)) == [
        (referral.pk, 0)
    ]
    assert overdue_on_caseload(navigator, local(2026, 11, 19, 10)) == [(referral.pk, 1)]
    contact_at(referral, navigator, local(2026, 11, 19, 11))
    assert overdue_on_caseload(navigator, local(2026, 11, 19, 12)) == [(referral.pk, 0)]


def test_the_caseload_orders_overdue_then_urgent_then_oldest(navigator, caseload_at):
    def assigned(moment, **fields):
        return caseload_at(moment, **fields)

    late = assigned(local(2026, 11, 10, 10))
    newest = assigned(local(2026, 11, 18, 12))
    oldest = assigned(local(2026, 11, 18, 10))
    urgent = assigned(local(2026, 11, 18, 14), urgency="urgent")
    order = overdue_on_caseload(navigator, local(2026, 11, 18, 15))
    assert order == [(late.pk, 1), (urgent.pk, 0), (oldest.pk, 0), (newest.pk, 0)]


def test_each_referral_is_overdue_under_its_own_partnerships_business_days(
    partnership, supervisor
):
    partnership.business_days = [0, 2, 4]
    partnership.save(update_fields=["business_days"])
    weekdays = PartnershipFactory(cbo=partnership.cbo, time_zone=partnership.time_zone)
    monday = local(2026, 11, 16, 10)
    three_day = at(monday, ReferralFactory, partnership=partnership)
    five_day = at(monday, ReferralFactory, partnership=weekdays)
    with time_machine.travel(local(2026, 11, 17, 11), tick=False):
        rows = {
            row.pk: row.is_overdue
            for row in selectors.inbox_for_supervisor(user=supervisor)
        }
        counts = selectors.inbox_counts_for_supervisor(user=supervisor)
        overdue_only = selectors.inbox_for_supervisor(
            user=supervisor, filters={"overdue_only": True}
        )
    # Tuesday is a business day of the second partnership only.
    assert rows == {three_day.pk: 0, five_day.pk: 1}
    assert counts["overdue_acceptance"] == 1
    assert [row.pk for row in overdue_only] == [five_day.pk]


def test_the_weekly_summary_counts_what_is_overdue_and_what_moved(
    partnership, supervisor, navigator, caseload_at
):
    caseload_at(local(2026, 11, 2, 10))
    at(local(2026, 11, 10, 10), ReferralFactory, partnership=partnership)
    done = caseload_at(local(2026, 11, 16, 10))
    contact_at(done, navigator, local(2026, 11, 16, 11))
    transition_at(local(2026, 11, 16, 12), done, navigator, "complete")
    with time_machine.travel(local(2026, 11, 18, 10), tick=False):
        summary = selectors.operations_summary_for_supervisor(
            user=supervisor, since=local(2026, 11, 11, 0)
        )
    assert {key: value for key, value in summary.items() if key != "navigators"} == {
        "waiting_acceptance": 1,
        "waiting_assignment": 0,
        "overdue_in_inbox": 1,
        "overdue_in_caseloads": 1,
        "received": 1,
        "closed": 1,
        "completed": 1,
    }
    assert summary["navigators"] == [
        {"name": navigator.get_full_name(), "active": 1, "overdue": 1, "contacts": 1}
    ]


def test_the_inbox_header_counts_each_kind_of_wait(partnership, supervisor, navigator):
    for _ in range(2):
        at(local(2026, 11, 16, 10), ReferralFactory, partnership=partnership)
    at(local(2026, 11, 18, 10), ReferralFactory, partnership=partnership)
    for moment in (local(2026, 11, 16, 10), local(2026, 11, 18, 10)):
        transition_at(
            moment,
            at(moment, ReferralFactory, partnership=partnership),
            supervisor,
            "accept",
        )
    assigned = at(local(2026, 11, 16, 10), ReferralFactory, partnership=partnership)
    at(
        local(2026, 11, 16, 10),
        assignment.referral_assign,
        referral=assigned,
        actor=supervisor,
        navigator=navigator,
    )
    with time_machine.travel(local(2026, 11, 18, 11), tick=False):
        counts = selectors.inbox_counts_for_supervisor(user=supervisor)
    assert counts == {
        "waiting_acceptance": 3,
        "waiting_assignment": 2,
        "overdue_acceptance": 2,
        "overdue_assignment": 1,
    }


def test_a_referral_on_hold_before_first_contact_is_not_overdue_on_the_caseload(
    navigator, caseload_at
):
    referral = caseload_at(local(2026, 11, 16, 10))
    transition_at(
        local(2026, 11, 16, 11),
        referral,
        navigator,
        "hold",
        reason_code="patient_request",
    )
    assert overdue_on_caseload(navigator, local(2026, 11, 25, 10)) == [(referral.pk, 0)]


def test_clinic_staff_cutoffs_follow_their_partnerships_business_days(
    partnership, clinic_user
):
    partnership.business_days = [0, 2, 4]
    partnership.save(update_fields=["business_days"])
    with time_machine.travel(local(2026, 11, 17, 11), tick=False):
        cutoffs = selectors.overdue_cutoffs_for_user(clinic_user)
    assert cutoffs[partnership.pk]["accept"] == datetime.datetime(
        2026, 11, 13, 23, 59, 59, 999999, tzinfo=PORTLAND
    )
