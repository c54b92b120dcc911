"""Mutual training: sessions, attendance, required trainings per role."""

import datetime

import pytest
from django.urls import reverse

from partners import services
from partners.models import TrainingKind, User
from referrals.selectors import navigator_suggestions
from referrals.services import workflow
from referrals.tests.factories import ReferralFactory

Role = User.Role


@pytest.fixture
def orientation_required(partnership, manager):
    return services.required_training_save(
        actor=manager,
        partnership=partnership,
        data={
            "role": Role.NAVIGATOR,
            "kind": TrainingKind.CHW_ORIENTATION,
            "due_within_days": 30,
            "renew_every_months": None,
        },
    )


def orientation(partnership, manager, attendees, held_on=None):
    return services.training_session_save(
        actor=manager,
        partnership=partnership,
        data={
            "title": "Clinic protocols orientation",
            "kind": TrainingKind.CHW_ORIENTATION,
            "held_on": held_on or datetime.date.today(),
            "trainer": "Dr. Lee",
            "audience": partnership.cbo,
            "attendees": attendees,
        },
    )


def test_manager_records_a_session_with_its_attendees(
    login, partnership, manager, navigator
):
    response = login(manager).post(
        reverse("partners:training-session-new", args=[partnership.code]),
        {
            "title": "Working with CHWs",
            "kind": "working_with_chws",
            "held_on": "2026-03-04",
            "trainer": "Sofia",
            "audience": partnership.health_system_id,
            "materials_url": "https://example.org/slides",
            "attendees": [manager.pk],
        },
    )
    assert response.status_code == 302
    session = partnership.training_sessions.get()
    assert list(session.attendees.all()) == [manager]


def test_a_navigator_who_missed_the_orientation_is_overdue_after_the_grace_days(
    login, partnership, manager, navigator, orientation_required
):
    User.objects.filter(pk=navigator.pk).update(
        date_joined=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    )
    page = login(manager).get(reverse("partners:training", args=[partnership.code]))
    content = page.content.decode()
    assert "Overdue" in content
    orientation(partnership, manager, [navigator])
    content = login(manager).get(reverse("partners:training", args=[partnership.code]))
    assert "Clinic protocols orientation" in content.content.decode()
    assert "Overdue" not in content.content.decode()


def test_a_renewable_training_becomes_due_again(partnership, manager, navigator):
    from partners.selectors import training_status_for_people

    services.required_training_save(
        actor=manager,
        partnership=partnership,
        data={
            "role": Role.NAVIGATOR,
            "kind": TrainingKind.CHW_ORIENTATION,
            "due_within_days": 30,
            "renew_every_months": 12,
        },
    )
    orientation(partnership, manager, [navigator], held_on=datetime.date(2020, 1, 1))
    [row] = training_status_for_people(partnership, [navigator])
    assert row["required"][0].state == "overdue"
    assert row["required"][0].due_on == datetime.date(2021, 1, 1)


def test_a_training_is_judged_on_the_partnerships_own_date(
    partnership, navigator, orientation_required, time_machine
):
    """Due on the 9th: at 11 pm on the 9th in Honolulu it is due, not overdue,
    though it is already the 10th on the server's Pacific clock."""
    from partners.selectors import training_status_for_people

    partnership.time_zone = "Pacific/Honolulu"
    partnership.save(update_fields=["time_zone"])
    User.objects.filter(pk=navigator.pk).update(
        date_joined=datetime.datetime(2026, 2, 7, 12, tzinfo=datetime.UTC)
    )
    navigator.refresh_from_db()
    time_machine.move_to("2026-03-10 09:00:00+00:00")
    [row] = training_status_for_people(partnership, [navigator])
    assert row["required"][0].due_on == datetime.date(2026, 3, 9)
    assert row["required"][0].state == "due"
    time_machine.move_to("2026-03-10 10:30:00+00:00")
    [row] = training_status_for_people(partnership, [navigator])
    assert row["required"][0].state == "overdue"


def test_attendees_must_belong_to_the_partners(partnership, manager, outsiders):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        orientation(partnership, manager, [outsiders[Role.NAVIGATOR]])


def test_assignment_flags_navigators_without_the_required_orientation(
    login, partnership, clinic, supervisor, navigator, manager, orientation_required
):
    oriented = User.objects.create_user(
        "oriented@home.test",
        first_name="Olga",
        role=Role.NAVIGATOR,
        organization=partnership.cbo,
    )
    orientation(partnership, manager, [oriented])
    referral = ReferralFactory(partnership=partnership, clinic=clinic)
    workflow.referral_transition(referral=referral, actor=supervisor, name="accept")
    flags = {
        person.first_name: person.missing_orientation
        for person in navigator_suggestions(referral=referral)
    }
    assert flags == {"Nadia": True, "Olga": False}
    page = login(supervisor).get(
        reverse("referrals:referral-assign", args=[referral.code])
    )
    assert page.content.decode().count("Orientation on clinic protocols not done") == 1


def test_without_a_requirement_nobody_is_flagged(
    partnership, clinic, supervisor, navigator
):
    referral = ReferralFactory(partnership=partnership, clinic=clinic)
    [suggestion] = navigator_suggestions(referral=referral)
    assert suggestion.missing_orientation is False


def test_required_trainings_are_configured_per_role_and_removed(
    login, partnership, manager, orientation_required
):
    client = login(manager)
    client.post(
        reverse("partners:required-training-new", args=[partnership.code]),
        {"role": "clinic_staff", "kind": "cultural_competence", "due_within_days": 60},
    )
    assert partnership.required_trainings.count() == 2
    client.post(
        reverse("partners:required-training-remove", args=[orientation_required.code])
    )
    assert list(partnership.required_trainings.values_list("kind", flat=True)) == [
        "cultural_competence"
    ]


def test_training_page_uses_a_constant_number_of_queries(
    login,
    partnership,
    manager,
    navigator,
    orientation_required,
    django_assert_max_num_queries,
):
    orientation(partnership, manager, [navigator, manager])
    client = login(manager)
    # session, user, navigation organization, partnership, people count, page of
    # people, required rules, attendance, sessions, rules list, session save (3)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("partners:training", args=[partnership.code]))
    assert response.status_code == 200


def test_a_navigator_sees_their_own_trainings_and_what_is_due(
    login, partnership, manager, navigator, orientation_required
):
    page = login(navigator).get(reverse("partners:training-mine"))
    content = page.content.decode()
    assert page.status_code == 200
    assert "Due" in content
    assert "CHW orientation on clinic protocols" in content
    orientation(partnership, manager, [navigator])
    content = login(navigator).get(reverse("partners:training-mine")).content
    assert "Clinic protocols orientation" in content.decode()
