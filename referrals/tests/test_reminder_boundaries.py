"""Reminder rules at their edges: the exact due minute, the partnership's own time
zone and business days, two reminders at once, and situations that resolve."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from evaluation.tests.factories import caseload_referral, pam_row
from partners import services
from partners.models import (
    Contract,
    Partnership,
    RequiredTraining,
    TrainingKind,
    User,
)
from partners.tests.factories import UserFactory
from referrals.models import Notification, ReminderClaim
from referrals.services import assignment, reminders
from referrals.services.notifications import notification_text
from referrals.tests.factories import ReferralFactory
from referrals.tests.states import at, contact_at, local, transition_at

Kind = Notification.Kind
Role = User.Role
UTC = datetime.UTC


def sweep(moment):
    with time_machine.travel(moment, tick=False):
        return reminders.reminders_sweep()


def received(user, kind=None):
    notes = Notification.objects.filter(recipient=user).order_by("created", "pk")
    if kind:
        notes = notes.filter(kind=kind)
    return list(notes)


def claims(rule):
    return list(
        ReminderClaim.objects.filter(rule=rule)
        .order_by("due_at")
        .values_list("object_code", "due_at")
    )


@pytest.fixture
def accepted_wednesday(partnership, supervisor):
    referral = at(local(2026, 11, 18, 10), ReferralFactory, partnership=partnership)
    return transition_at(local(2026, 11, 18, 10), referral, supervisor, "accept")


def test_not_assigned_reminds_supervisors_at_the_exact_minute(
    accepted_wednesday, supervisor, navigator
):
    assert sweep(local(2026, 11, 19, 9, 59)) == 0
    assert sweep(local(2026, 11, 19, 10)) == 1
    [note] = received(supervisor, Kind.NOT_ASSIGNED)
    assert notification_text(note) == (
        f"Referral {accepted_wednesday.short_code} from "
        f"{accepted_wednesday.clinic.name} was accepted but has no navigator yet."
    )
    assert received(navigator) == []
    assert claims("not_assigned") == [
        (accepted_wednesday.code, local(2026, 11, 19, 10))
    ]


def test_assigning_resolves_the_not_assigned_rule(
    accepted_wednesday, supervisor, navigator
):
    at(
        local(2026, 11, 19, 9),
        assignment.referral_assign,
        referral=accepted_wednesday,
        actor=supervisor,
        navigator=navigator,
    )
    assert sweep(local(2026, 11, 19, 11)) == 0
    assert received(supervisor, Kind.NOT_ASSIGNED) == []


def test_not_assigned_counts_the_partnerships_business_days(
    partnership, accepted_wednesday, supervisor
):
    partnership.business_days = [0, 2, 4]  # Thursday is not one
    partnership.save(update_fields=["business_days"])
    assert sweep(local(2026, 11, 19, 11)) == 0
    assert sweep(local(2026, 11, 20, 9, 59)) == 0
    assert sweep(local(2026, 11, 20, 10)) == 1
    assert claims("not_assigned") == [
        (accepted_wednesday.code, local(2026, 11, 20, 10))
    ]


def test_business_days_are_counted_in_the_partnerships_time_zone(
    partnership, supervisor
):
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    partnership.time_zone = "Asia/Tokyo"
    partnership.save(update_fields=["time_zone"])
    # Monday 8:00 in Tokyo is still Sunday 23:00 in UTC.
    referral = at(
        local(2026, 11, 23, 8, zone=tokyo), ReferralFactory, partnership=partnership
    )
    assert sweep(local(2026, 11, 24, 7, 59, zone=tokyo)) == 0
    assert sweep(local(2026, 11, 24, 8, zone=tokyo)) == 1
    assert claims("not_accepted") == [
        (referral.code, datetime.datetime(2026, 11, 23, 23, tzinfo=UTC))
    ]


def test_two_referrals_due_at_once_send_the_supervisor_two_reminders(
    partnership, supervisor
):
    first = at(local(2026, 11, 18, 10), ReferralFactory, partnership=partnership)
    second = at(local(2026, 11, 18, 10), ReferralFactory, partnership=partnership)
    assert sweep(local(2026, 11, 19, 10)) == 2
    reminded = {note.referral_id for note in received(supervisor, Kind.NOT_ACCEPTED)}
    assert reminded == {first.pk, second.pk}
    assert sweep(local(2026, 11, 19, 12)) == 0


def test_every_active_supervisor_of_the_cbo_is_reminded(partnership, supervisor):
    colleague = UserFactory(role="supervisor", organization=partnership.cbo)
    former = UserFactory(
        role="supervisor", organization=partnership.cbo, is_active=False
    )
    at(local(2026, 11, 18, 10), ReferralFactory, partnership=partnership)
    assert sweep(local(2026, 11, 19, 10)) == 1
    assert len(received(supervisor, Kind.NOT_ACCEPTED)) == 1
    assert len(received(colleague, Kind.NOT_ACCEPTED)) == 1
    assert received(former) == []


def test_an_ended_partnership_sends_no_reminders(partnership, supervisor):
    at(local(2026, 11, 18, 10), ReferralFactory, partnership=partnership)
    partnership.status = Partnership.Status.ENDED
    partnership.save(update_fields=["status"])
    assert sweep(local(2026, 11, 25, 10)) == 0


@pytest.fixture
def assigned_monday(caseload_at):
    return caseload_at(local(2026, 11, 16, 10))


def test_first_contact_and_its_escalation_at_the_exact_minute(
    assigned_monday, supervisor, navigator
):
    # Three business days after Monday 10:00 is Thursday 10:00; a day later, Friday.
    assert sweep(local(2026, 11, 19, 9, 59)) == 0
    assert sweep(local(2026, 11, 19, 10)) == 1
    [note] = received(navigator, Kind.NO_FIRST_CONTACT)
    assert note.referral_id == assigned_monday.pk
    assert received(supervisor, Kind.NO_FIRST_CONTACT) == []
    assert sweep(local(2026, 11, 20, 9, 59)) == 0
    assert sweep(local(2026, 11, 20, 10)) == 1
    assert len(received(supervisor, Kind.NO_FIRST_CONTACT_ESCALATION)) == 1
    assert received(navigator, Kind.NO_FIRST_CONTACT_ESCALATION) == []
    assert claims("no_first_contact_escalation") == [
        (assigned_monday.code, local(2026, 11, 20, 10))
    ]


def test_an_unreached_attempt_resolves_first_contact_and_escalation(
    assigned_monday, supervisor, navigator
):
    contact_at(assigned_monday, navigator, local(2026, 11, 19, 9), reached=False)
    assert sweep(local(2026, 11, 23, 10)) == 0
    assert received(navigator, Kind.NO_FIRST_CONTACT) == []


def test_a_contact_before_a_reassignment_does_not_count_for_the_new_navigator(
    partnership, assigned_monday, supervisor, navigator
):
    contact_at(assigned_monday, navigator, local(2026, 11, 16, 11), reached=False)
    colleague = UserFactory(role="navigator", organization=partnership.cbo)
    at(
        local(2026, 11, 16, 12),
        assignment.referral_reassign,
        referral=assigned_monday,
        actor=supervisor,
        navigator=colleague,
        reason="Speaks the patient's language",
    )
    assert sweep(local(2026, 11, 19, 12)) == 1
    assert len(received(colleague, Kind.NO_FIRST_CONTACT)) == 1
    assert received(navigator, Kind.NO_FIRST_CONTACT) == []


def test_inactive_exactly_fourteen_days_after_the_last_contact(
    assigned_monday, navigator
):
    contact_at(assigned_monday, navigator, local(2026, 11, 16, 11))
    assert sweep(local(2026, 11, 30, 10, 59)) == 0
    assert sweep(local(2026, 11, 30, 11)) == 1
    [note] = received(navigator, Kind.INACTIVE)
    assert note.referral_id == assigned_monday.pk
    assert claims("inactive") == [(assigned_monday.code, local(2026, 11, 30, 11))]


def test_a_new_contact_moves_the_inactive_reminder_on(assigned_monday, navigator):
    contact_at(assigned_monday, navigator, local(2026, 11, 16, 11))
    assert sweep(local(2026, 11, 30, 11)) == 1
    contact_at(assigned_monday, navigator, local(2026, 11, 30, 12))
    assert sweep(local(2026, 12, 14, 11, 59)) == 0
    assert sweep(local(2026, 12, 14, 12)) == 1
    assert [due for _, due in claims("inactive")] == [
        local(2026, 11, 30, 11),
        local(2026, 12, 14, 12),
    ]


def test_an_on_hold_referral_gets_no_inactive_reminder(assigned_monday, navigator):
    contact_at(assigned_monday, navigator, local(2026, 11, 16, 11))
    transition_at(
        local(2026, 11, 16, 12),
        assigned_monday,
        navigator,
        "hold",
        reason_code="waitlisted",
    )
    assert sweep(local(2026, 12, 30, 12)) == 0


def test_a_navigator_with_two_reminders_due_at_once_gets_both(navigator, caseload_at):
    quiet, fresh = (
        caseload_at(local(2026, 11, 12, 10)),
        caseload_at(local(2026, 11, 23, 11)),
    )
    contact_at(quiet, navigator, local(2026, 11, 12, 11))
    # Quiet since 12 November 11:00; fresh assigned Monday 23rd, 3 days: Thursday.
    assert sweep(local(2026, 11, 26, 11)) == 2
    kinds = {(n.kind, n.referral_id) for n in received(navigator)}
    assert (Kind.INACTIVE, quiet.pk) in kinds
    assert (Kind.NO_FIRST_CONTACT, fresh.pk) in kinds


def test_a_claimed_reminder_is_not_sent_again(accepted_wednesday, supervisor):
    rule = next(rule for rule in reminders.RULES if rule.name == "not_assigned")
    sweep = reminders.Sweep.of_running(local(2026, 11, 19, 10))
    [due] = list(rule.due(sweep, rule))
    assert reminders.reminder_send_once(rule=rule, due=due) is True
    assert reminders.reminder_send_once(rule=rule, due=due) is False
    assert len(received(supervisor, Kind.NOT_ASSIGNED)) == 1


def test_the_contracts_service_levels_set_every_due_moment(
    partnership, manager, supervisor, navigator, caseload_at
):
    services.contract_save(
        actor=manager,
        partnership=partnership,
        data={
            "kind": Contract.Kind.SERVICE,
            "title": "Services",
            "status": Contract.Status.SIGNED,
            "effective_on": datetime.date(2026, 1, 1),
            "accept_business_days": 2,
            "assign_business_days": 2,
            "first_contact_business_days": 1,
            "inactive_days": 7,
        },
    )
    waiting = at(local(2026, 11, 16, 10), ReferralFactory, partnership=partnership)
    accepted = at(local(2026, 11, 16, 10), ReferralFactory, partnership=partnership)
    transition_at(local(2026, 11, 16, 10), accepted, supervisor, "accept")
    assigned = caseload_at(local(2026, 11, 16, 10))
    working = caseload_at(local(2026, 11, 16, 10))
    contact_at(working, navigator, local(2026, 11, 16, 11))
    # Tuesday 10:00: one business day passed, so only the first contact is due.
    assert sweep(local(2026, 11, 17, 10)) == 1
    assert claims("no_first_contact") == [(assigned.code, local(2026, 11, 17, 10))]
    assert sweep(local(2026, 11, 18, 9, 59)) == 0
    assert sweep(local(2026, 11, 18, 10)) == 3  # not accepted, not assigned, escalation
    assert claims("not_accepted") == [(waiting.code, local(2026, 11, 18, 10))]
    assert claims("not_assigned") == [(accepted.code, local(2026, 11, 18, 10))]
    assert sweep(local(2026, 11, 23, 10, 59)) == 0
    assert sweep(local(2026, 11, 23, 11)) == 1
    assert claims("inactive") == [(working.code, local(2026, 11, 23, 11))]
    [quiet] = received(navigator, Kind.INACTIVE)
    assert notification_text(quiet) == (
        f"Referral {working.short_code} has had no activity for 7 days."
    )


def test_a_contact_on_another_referral_does_not_count_as_first_contact(
    navigator, caseload_at
):
    first, second = (caseload_at(local(2026, 11, 16, 10)) for _ in range(2))
    contact_at(first, navigator, local(2026, 11, 16, 11), reached=False)
    assert sweep(local(2026, 11, 19, 10)) == 1
    [note] = received(navigator, Kind.NO_FIRST_CONTACT)
    assert note.referral_id == second.pk


def test_the_contract_ending_reminder_links_to_the_partnership(
    partnership, manager, navigator
):
    Contract.objects.create(
        partnership=partnership,
        kind=Contract.Kind.SERVICE,
        title="Navigation services 2026",
        status=Contract.Status.SIGNED,
        effective_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        renewal_notice_days=60,
    )
    sweep(local(2026, 11, 2, 12))
    [ending] = received(manager, Kind.CONTRACT_ENDING)
    assert ending.link == reverse(
        "partners:partnership-detail", args=[partnership.code]
    )


def test_two_trainings_overdue_the_same_day_send_two_reminders(
    partnership, manager, navigator
):
    for kind in (TrainingKind.CHW_ORIENTATION, TrainingKind.CLINIC_PROTOCOLS):
        RequiredTraining.objects.create(
            partnership=partnership, role="navigator", kind=kind, due_within_days=30
        )
    later = navigator.date_joined.date() + datetime.timedelta(days=45)
    sweep(local(later.year, later.month, later.day, 12))
    # Two trainings overdue for one person on the same day: two reminders.
    trainings = received(manager, Kind.TRAINING_OVERDUE)
    assert len(trainings) == 2
    assert {note.link for note in trainings} == {
        reverse("partners:training", args=[partnership.code])
    }
    assert {note.context["training_kind"] for note in trainings} == {
        TrainingKind.CHW_ORIENTATION,
        TrainingKind.CLINIC_PROTOCOLS,
    }


def test_the_pam_follow_up_reminder_links_to_the_patients_pam(
    partnership, supervisor, navigator
):
    referral = caseload_referral(
        partnership=partnership, supervisor=supervisor, navigator=navigator
    )
    pam_row(
        patient=referral.patient,
        partnership=partnership,
        by=navigator,
        on=datetime.date(2026, 5, 10),
    )
    sweep(local(2026, 11, 10, 12))
    [note] = received(navigator, Kind.PAM_FOLLOW_UP_DUE)
    assert note.link == reverse("evaluation:patient-pam", args=[referral.patient.code])
    assert note.referral is None


def test_a_referral_put_on_hold_before_first_contact_gets_no_reminder(
    assigned_monday, supervisor, navigator
):
    transition_at(
        local(2026, 11, 16, 11),
        assigned_monday,
        navigator,
        "hold",
        reason_code="patient_request",
    )
    assert sweep(local(2026, 11, 23, 10)) == 0
    assert received(navigator, Kind.NO_FIRST_CONTACT) == []
    assert received(supervisor, Kind.NO_FIRST_CONTACT_ESCALATION) == []


def contract_ending_on(partnership, ends_on, **fields):
    return Contract.objects.create(
        partnership=partnership,
        kind=Contract.Kind.SERVICE,
        title=fields.pop("title", "Navigation services"),
        status=fields.pop("status", Contract.Status.SIGNED),
        effective_on=datetime.date(2026, 1, 1),
        ends_on=ends_on,
        renewal_notice_days=60,
        **fields,
    )


def test_contract_reminder_starts_on_the_first_notice_day_for_both_managers(
    partnership, manager
):
    cbo_manager = UserFactory(role=Role.PROGRAM_MANAGER, organization=partnership.cbo)
    contract_ending_on(partnership, datetime.date(2026, 12, 31))  # notice from 1 Nov
    assert sweep(local(2026, 10, 31, 23, 59)) == 0
    assert sweep(local(2026, 11, 1, 0, 1)) == 1
    assert len(received(manager, Kind.CONTRACT_ENDING)) == 1
    assert len(received(cbo_manager, Kind.CONTRACT_ENDING)) == 1


def test_contract_reminders_skip_drafts_ended_and_other_partnerships(
    partnership, other_partnership, manager
):
    contract_ending_on(partnership, datetime.date(2026, 12, 31), status="draft")
    contract_ending_on(partnership, datetime.date(2026, 10, 31), title="Old")
    contract_ending_on(other_partnership, datetime.date(2026, 12, 31))
    sweep(local(2026, 11, 2, 12))
    assert received(manager, Kind.CONTRACT_ENDING) == []


def test_a_contract_not_yet_in_notice_does_not_hide_the_next(partnership, manager):
    contract_ending_on(partnership, datetime.date(2027, 6, 30), title="Later")
    contract_ending_on(partnership, datetime.date(2026, 12, 31), title="Sooner")
    assert sweep(local(2026, 11, 2, 12)) == 1
    [note] = received(manager, Kind.CONTRACT_ENDING)
    assert note.context["contract"] == "Sooner"


def test_the_notice_day_is_the_partnerships_date(partnership, manager):
    partnership.time_zone = "Asia/Tokyo"
    partnership.save(update_fields=["time_zone"])
    contract_ending_on(partnership, datetime.date(2026, 12, 31))
    # 1 November 00:30 in Tokyo is still 31 October in Portland and in UTC.
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    assert sweep(datetime.datetime(2026, 11, 1, 0, 30, tzinfo=tokyo)) == 1
