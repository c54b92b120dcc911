"""The shared referral page and the actions started from it."""

import pytest
from django.urls import reverse

from partners.tests.factories import UserFactory
from referrals.models import Referral
from referrals.services import assignment, intake, workflow
from referrals.tests.factories import ReferralFactory

Status = Referral.Status


@pytest.fixture
def referral(partnership, clinic, clinic_user):
    return ReferralFactory(
        partnership=partnership,
        clinic=clinic,
        referred_by=clinic_user,
        patient__first_name="Rosa",
        patient__last_name="Mendez",
        patient__preferred_language="es",
    )


def url(name, referral, *args):
    return reverse(f"referrals:{name}", args=[referral.code, *args])


OBJECT_URLS = [
    ("referral-detail", ()),
    ("referral-message", ()),
    ("referral-assign", ()),
    ("referral-share", ()),
    ("referral-transition", ("accept",)),
    ("referral-transition", ("decline",)),
    ("referral-transition", ("cancel",)),
]


SUPERVISOR_ONLY = {"referral-assign", "referral-share"}
POST_ONLY = {"referral-message"}


@pytest.mark.parametrize("name,args", OBJECT_URLS)
@pytest.mark.parametrize(
    "role", ["clinic_staff", "supervisor", "navigator", "program_manager"]
)
def test_users_of_another_partnership_get_404(
    login, outsiders, referral, name, args, role
):
    # Role-restricted pages refuse other roles before any lookup (403, which says
    # nothing about the record); everything else is 404 to strangers.
    expected = 403 if name in SUPERVISOR_ONLY and role != "supervisor" else 404
    client = login(outsiders[role])
    if name not in POST_ONLY:
        assert client.get(url(name, referral, *args)).status_code == expected
    response = client.post(url(name, referral, *args), {"reason_code": "duplicate"})
    assert response.status_code == expected
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED
    assert referral.events.count() == 0


def test_each_side_sees_the_referral_page(
    login, referral, clinic_user, supervisor, manager
):
    for user in (clinic_user, supervisor, manager):
        response = login(user).get(url("referral-detail", referral))
        assert response.status_code == 200
        assert "Rosa Mendez" in response.content.decode()


def test_navigator_without_the_referral_gets_404(login, referral, navigator):
    assert login(navigator).get(url("referral-detail", referral)).status_code == 404


def test_manager_does_not_see_patient_phone(login, referral, manager, supervisor):
    phone = str(referral.patient.phone)
    assert (
        phone
        in login(supervisor).get(url("referral-detail", referral)).content.decode()
    )
    assert (
        phone
        not in login(manager).get(url("referral-detail", referral)).content.decode()
    )


def test_do_not_contact_shows_the_safe_contact_note_and_hides_the_phone(
    login, referral, supervisor, clinic_user
):
    patient = intake.patient_update(
        actor=clinic_user,
        patient=referral.patient,
        data={
            "do_not_contact": True,
            "safe_contact_note": "Only through her sister at the clinic",
        },
    )
    content = login(supervisor).get(url("referral-detail", referral)).content.decode()
    assert "Do not contact the patient directly" in content
    assert "Only through her sister" in content
    assert str(patient.phone) not in content
    assert patient.phone.as_e164 not in content


def test_supervisor_accepts_from_the_page(login, referral, supervisor):
    client = login(supervisor)
    page = client.get(url("referral-detail", referral)).content.decode()
    assert "Accept" in page
    response = client.post(
        url("referral-transition", referral, "accept"), {"version": referral.version}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED
    timeline = client.get(url("referral-detail", referral)).content.decode()
    assert "accepted the referral" in timeline


def test_decline_without_reason_shows_an_error_and_changes_nothing(
    login, referral, supervisor
):
    response = login(supervisor).post(
        url("referral-transition", referral, "decline"),
        {"reason": "Full", "version": referral.version},
    )
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert "Full" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED


def test_other_reason_needs_details(login, referral, supervisor):
    response = login(supervisor).post(
        url("referral-transition", referral, "decline"),
        {"reason_code": "other", "version": referral.version},
    )
    assert "Describe the reason" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED


def test_a_late_click_is_told_who_acted_first(login, referral, supervisor, partnership):
    other = UserFactory(
        role="supervisor", organization=partnership.cbo, first_name="Olivia"
    )
    seen_version = referral.version
    workflow.referral_transition(referral=referral, actor=other, name="accept")
    response = login(supervisor).post(
        url("referral-transition", referral, "decline"),
        {"reason_code": "duplicate", "version": seen_version},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Olivia" in content and "before you" in content
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED


def test_unknown_action_is_404(login, referral, supervisor):
    response = login(supervisor).post(url("referral-transition", referral, "explode"))
    assert response.status_code == 404


def test_messages_reach_the_other_side(login, referral, clinic_user, supervisor):
    login(clinic_user).post(
        url("referral-message", referral), {"text": "Patient prefers mornings"}
    )
    content = login(supervisor).get(url("referral-detail", referral)).content.decode()
    assert "Patient prefers mornings" in content


def test_empty_message_is_refused_beside_the_field(login, referral, clinic_user):
    response = login(clinic_user).post(
        url("referral-message", referral), {"text": "  "}
    )
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()


def test_assign_page_ranks_language_then_caseload(
    login, referral, supervisor, partnership
):
    busy_speaker = UserFactory(
        role="navigator",
        organization=partnership.cbo,
        first_name="Busy",
        languages=["es"],
    )
    UserFactory(
        role="navigator",
        organization=partnership.cbo,
        first_name="Free",
        languages=["es", "en"],
    )
    UserFactory(
        role="navigator",
        organization=partnership.cbo,
        first_name="English",
        languages=["en"],
    )
    for _ in range(2):
        extra = ReferralFactory(partnership=partnership)
        assignment.referral_assign(
            referral=extra, actor=supervisor, navigator=busy_speaker
        )
    response = login(supervisor).get(url("referral-assign", referral))
    ranked = [n.first_name for n in response.context["navigators"]]
    assert ranked.index("Free") < ranked.index("Busy") < ranked.index("English")
    busy = next(n for n in response.context["navigators"] if n.first_name == "Busy")
    assert busy.active_caseload == 2


def test_assigning_from_the_page_puts_it_in_the_caseload(
    login, referral, supervisor, navigator
):
    response = login(supervisor).post(
        url("referral-assign", referral), {"navigator": navigator.pk, "version": 0}
    )
    assert response.status_code == 302
    caseload = login(navigator).get(reverse("referrals:caseload")).content.decode()
    assert "Rosa Mendez" in caseload
    clinic_view = login(referral.referred_by).get(
        reverse("referrals:clinic-referral-list")
    )
    assert navigator.first_name in clinic_view.content.decode()


def test_reassign_needs_a_reason(login, referral, supervisor, navigator, partnership):
    assignment.referral_assign(referral=referral, actor=supervisor, navigator=navigator)
    other = UserFactory(role="navigator", organization=partnership.cbo)
    client = login(supervisor)
    referral.refresh_from_db()
    response = client.post(
        url("referral-assign", referral),
        {"navigator": other.pk, "version": referral.version},
    )
    assert "Say why the referral moves" in response.content.decode()
    client.post(
        url("referral-assign", referral),
        {"navigator": other.pk, "reason": "Leave", "version": referral.version},
    )
    referral.refresh_from_db()
    assert referral.navigator == other


def test_shared_referral_appears_for_the_other_navigator(
    login, referral, supervisor, navigator, partnership
):
    assignment.referral_assign(referral=referral, actor=supervisor, navigator=navigator)
    helper = UserFactory(role="navigator", organization=partnership.cbo)
    login(supervisor).post(url("referral-share", referral), {"navigator": helper.pk})
    assert login(helper).get(url("referral-detail", referral)).status_code == 200


def test_referral_page_queries_do_not_grow_with_history(
    login, referral, supervisor, navigator, django_assert_max_num_queries
):
    assignment.referral_assign(referral=referral, actor=supervisor, navigator=navigator)
    for number in range(5):
        workflow.referral_message_add(
            referral=referral, actor=supervisor, text=f"m{number}"
        )
    client = login(supervisor)
    # session, user, organization, referral (+joins), events, encounters, pathways,
    # steps, resource links, shared_with, open pathways check, session save (3)
    with django_assert_max_num_queries(16):
        response = client.get(url("referral-detail", referral))
    assert response.status_code == 200
