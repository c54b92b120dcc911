"""Each role's worklist shows its own organization's referrals and nothing else."""

import pytest

from referrals.tests import states
from referrals.tests.factories import PatientFactory, ReferralFactory


@pytest.fixture
def home_referral(partnership, clinic, clinic_user):
    return ReferralFactory(
        partnership=partnership,
        clinic=clinic,
        referred_by=clinic_user,
        patient__first_name="Rosa",
        patient__last_name="Home",
    )


@pytest.fixture
def other_referral(other_partnership):
    return ReferralFactory(
        partnership=other_partnership,
        patient__first_name="Olga",
        patient__last_name="Other",
    )


def test_clinic_list_shows_own_health_system_only(
    login, clinic_user, home_referral, other_referral
):
    content = login(clinic_user).get("/referrals/").content.decode()
    assert "Rosa Home" in content
    assert "Olga Other" not in content


def test_supervisor_inbox_shows_own_cbo_only(
    login, supervisor, home_referral, other_referral
):
    content = login(supervisor).get("/referrals/inbox/").content.decode()
    assert "Rosa Home" in content
    assert "Olga Other" not in content


def test_outsider_supervisor_does_not_see_our_referrals(
    login, outsiders, home_referral
):
    outsider = outsiders["supervisor"]
    content = login(outsider).get("/referrals/inbox/").content.decode()
    assert "Rosa Home" not in content


def test_navigator_sees_only_referrals_assigned_to_them(
    login, supervisor, navigator, partnership, home_referral
):
    states.assigned_referral(
        supervisor=supervisor, navigator=navigator, referral=home_referral
    )
    ReferralFactory(partnership=partnership, patient__first_name="Unassigned")
    content = login(navigator).get("/referrals/caseload/").content.decode()
    assert "Rosa Home" in content
    assert "Unassigned" not in content


def test_drafts_stay_with_the_clinic(
    login, supervisor, partnership, clinic, clinic_user
):
    states.draft_referral(
        clinic_user=clinic_user,
        patient=PatientFactory(
            health_system=partnership.health_system, first_name="Drafty"
        ),
    )
    assert "Drafty" in login(clinic_user).get("/referrals/").content.decode()
    assert "Drafty" not in login(supervisor).get("/referrals/inbox/").content.decode()


def test_clinic_list_uses_a_constant_number_of_queries(
    login, clinic_user, partnership, clinic, django_assert_max_num_queries
):
    ReferralFactory.create_batch(30, partnership=partnership, clinic=clinic)
    client = login(clinic_user)
    # session, user, the user's clinic and organization, clinic choices, count,
    # one page of referrals with their joins, session save (savepoint, update,
    # release), the access record
    with django_assert_max_num_queries(11):
        response = client.get("/referrals/?show=open")
    assert len(response.context["page_obj"].object_list) == 25
