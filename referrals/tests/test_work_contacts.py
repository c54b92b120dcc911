"""Navigators log contacts: the first successful one starts the work; the referral
page lists them, with notes for the CBO only."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from partners.models import User
from partners.tests.factories import UserFactory
from referrals.forms.work import EncounterForm
from referrals.models import Encounter, Referral
from referrals.services import assignment, contacts, workflow
from referrals.services.workflow import WorkflowError
from referrals.tests.factories import ReferralFactory
from referrals.tests.states import closing_of

Role = User.Role
Status = Referral.Status


NOW = datetime.datetime(2025, 3, 12, 18, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def mid_month(time_machine):
    """Mid-month, so "this month" does not depend on the day the tests run."""
    time_machine.move_to(NOW, tick=True)


def timedelta_h(hours):
    return datetime.timedelta(hours=hours)


def local_now(referral):
    return timezone.localtime(
        timezone=zoneinfo.ZoneInfo(referral.partnership.time_zone)
    )


@pytest.fixture
def referral(partnership, clinic, clinic_user, supervisor, navigator):
    referral = ReferralFactory(
        partnership=partnership,
        clinic=clinic,
        referred_by=clinic_user,
        patient__first_name="Rosa",
        patient__last_name="Home",
        submitted_at=timezone.now() - datetime.timedelta(days=3),
    )
    workflow.referral_transition(referral=referral, actor=supervisor, name="accept")
    return assignment.referral_assign(
        referral=referral, actor=supervisor, navigator=navigator
    )


def log(referral, navigator, **changes):
    values = {
        "occurred_at": timezone.now() - datetime.timedelta(hours=1),
        "mode": "phone",
        "reached": True,
        "minutes": 20,
        "note": "Talked about the food bank.",
    }
    return contacts.encounter_log(
        referral=referral, actor=navigator, **(values | changes)
    )


def url(referral):
    return f"/referrals/{referral.code}/contacts/new/"


# --- Service ---------------------------------------------------------------------


def test_first_reached_contact_moves_referral_to_in_progress(referral, navigator):
    encounter = log(referral, navigator)
    assert referral.status == Status.IN_PROGRESS  # the caller's copy is fresh too
    assert referral.first_contact_at == encounter.occurred_at
    assert referral.last_contact_at == encounter.occurred_at


def test_failed_contact_keeps_referral_assigned(referral, navigator):
    log(referral, navigator, reached=False)
    referral.refresh_from_db()
    assert referral.status == Status.ASSIGNED
    assert referral.first_contact_at is None
    assert referral.last_contact_at is not None


def test_later_reached_contact_keeps_the_first_contact_time(referral, navigator):
    first = log(referral, navigator, occurred_at=timezone.now() - timedelta_h(5))
    log(referral, navigator, occurred_at=timezone.now() - timedelta_h(1))
    referral.refresh_from_db()
    assert referral.first_contact_at == first.occurred_at
    assert referral.status == Status.IN_PROGRESS


def test_contact_in_the_future_is_refused(referral, navigator):
    with pytest.raises(WorkflowError):
        log(referral, navigator, occurred_at=timezone.now() + timedelta_h(2))
    assert not Encounter.objects.exists()


def test_contact_before_the_referral_was_sent_is_refused(referral, navigator):
    with pytest.raises(WorkflowError):
        log(referral, navigator, occurred_at=referral.submitted_at - timedelta_h(1))


@pytest.mark.parametrize("minutes", [0, 481])
def test_minutes_outside_one_to_480_are_refused(referral, navigator, minutes):
    with pytest.raises(WorkflowError):
        log(referral, navigator, minutes=minutes)


def test_only_the_assigned_navigator_logs_contacts(referral, partnership, supervisor):
    colleague = UserFactory(role=Role.NAVIGATOR, organization=partnership.cbo)
    assignment.referral_share(referral=referral, actor=supervisor, navigator=colleague)
    for actor in (colleague, supervisor):
        with pytest.raises(PermissionDenied):
            log(referral, actor)


def test_no_contact_on_a_closed_referral(referral, navigator):
    log(referral, navigator)
    workflow.referral_transition(
        referral=referral,
        actor=navigator,
        name="complete",
        **closing_of(referral),
    )
    with pytest.raises(WorkflowError):
        log(referral, navigator)


# --- Form ------------------------------------------------------------------------


def form_data(**changes):
    values = {
        "occurred_at": "2025-03-10T10:30",
        "mode": "home_visit",
        "reached": "yes",
        "minutes": "45",
        "note": "",
    }
    return values | changes


def test_form_reads_the_time_in_the_active_time_zone(referral):
    referral.submitted_at = datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC)
    with timezone.override("America/Los_Angeles"):
        form = EncounterForm(form_data(), referral=referral)
        assert form.is_valid(), form.errors
    # 10:30 in Portland on 10 March 2025 (PDT) is 17:30 UTC.
    assert form.cleaned_data["occurred_at"] == datetime.datetime(
        2025, 3, 10, 17, 30, tzinfo=datetime.UTC
    )
    assert form.cleaned_data["reached"] is True


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("minutes", "0"),
        ("minutes", "481"),
        ("minutes", "ten"),
        ("mode", "carrier_pigeon"),
        ("reached", ""),
        ("occurred_at", "yesterday"),
    ],
)
def test_form_refuses_bad_input_beside_the_field(referral, field, value):
    form = EncounterForm(form_data(**{field: value}), referral=referral)
    assert not form.is_valid()
    assert field in form.errors


def test_form_refuses_a_time_before_the_referral_was_sent(referral):
    referral.submitted_at = datetime.datetime(2025, 3, 9, tzinfo=datetime.UTC)
    form = EncounterForm(form_data(occurred_at="2025-03-01T09:00"), referral=referral)
    assert not form.is_valid()
    assert "cannot be earlier" in form.errors["occurred_at"][0]


# --- Pages -----------------------------------------------------------------------


def test_new_contact_page_defaults_to_now_in_a_datetime_local_input(
    login, navigator, referral
):
    response = login(navigator).get(url(referral))
    content = response.content.decode()
    assert response.status_code == 200
    assert 'type="datetime-local"' in content
    assert local_now(referral).strftime('value="%Y-%m-%dT') in content


def test_logging_a_reached_contact_shows_it_on_the_referral_page(
    login, navigator, referral
):
    client = login(navigator)
    occurred = local_now(referral) - timedelta_h(1)
    response = client.post(
        url(referral),
        form_data(
            occurred_at=occurred.strftime("%Y-%m-%dT%H:%M"),
            minutes="35",
            note="Signed up for SNAP",
        ),
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.IN_PROGRESS
    page = client.get(f"/referrals/{referral.code}/").content.decode()
    assert "Home visit" in page
    assert "Signed up for SNAP" in page
    assert "35 minutes" in page


def test_future_contact_is_refused_beside_the_field_keeping_the_input(
    login, navigator, referral
):
    future = (local_now(referral) + timedelta_h(30)).strftime("%Y-%m-%dT%H:%M")
    response = login(navigator).post(
        url(referral), form_data(occurred_at=future, note="Kept note")
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "The contact cannot be in the future." in content
    assert "Kept note" in content
    assert f'value="{future}"' in content
    assert not Encounter.objects.exists()


def test_contacts_are_listed_newest_first_with_this_months_minutes(
    login, navigator, supervisor, referral
):
    log(referral, navigator, occurred_at=timezone.now() - timedelta_h(2), minutes=15)
    log(referral, navigator, occurred_at=timezone.now() - timedelta_h(1), minutes=5)
    page = login(supervisor).get(f"/referrals/{referral.code}/").content.decode()
    assert page.index("5 min") < page.index("15 min")
    assert "20 minutes" in page
    assert "Nadia" in page


@pytest.mark.parametrize("role", ["clinic_user", "manager"])
def test_clinic_side_sees_contacts_without_the_cbo_notes(
    request, login, navigator, referral, role
):
    log(referral, navigator, note="Patient mentioned a private family matter")
    page = login(request.getfixturevalue(role)).get(f"/referrals/{referral.code}/")
    content = page.content.decode()
    assert "Phone call" in content
    assert "private family matter" not in content


def test_supervisor_reads_the_contact_notes(login, navigator, supervisor, referral):
    log(referral, navigator, note="Patient mentioned a private family matter")
    content = login(supervisor).get(f"/referrals/{referral.code}/").content.decode()
    assert "private family matter" in content


@pytest.mark.parametrize("role", ["clinic_user", "supervisor", "manager"])
def test_other_roles_may_not_log_contacts(request, login, referral, role):
    user = request.getfixturevalue(role)
    assert login(user).get(url(referral)).status_code == 403


def test_a_navigator_it_is_only_shared_with_may_not_log_contacts(
    login, partnership, supervisor, referral
):
    colleague = UserFactory(role=Role.NAVIGATOR, organization=partnership.cbo)
    assignment.referral_share(referral=referral, actor=supervisor, navigator=colleague)
    assert login(colleague).get(url(referral)).status_code == 403


def test_outsider_navigator_gets_404(login, outsiders, referral):
    assert login(outsiders["navigator"]).get(url(referral)).status_code == 404


@pytest.mark.parametrize("role", ["clinic_staff", "supervisor", "program_manager"])
def test_outsiders_of_other_roles_never_see_the_form(login, outsiders, referral, role):
    response = login(outsiders[role]).get(url(referral))
    assert response.status_code in {403, 404}
    assert "Rosa Home" not in response.content.decode()


def test_closed_referral_sends_the_navigator_back_with_a_message(
    login, navigator, referral
):
    log(referral, navigator)
    workflow.referral_transition(
        referral=referral,
        actor=navigator,
        name="complete",
        **closing_of(referral),
    )
    response = login(navigator).get(url(referral), follow=True)
    assert "Contacts are logged while a referral is worked." in (
        response.content.decode()
    )
