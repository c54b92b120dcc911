"""The clinic's referral list: search by patient name (blind to accents), MRN or
code, a status filter, and the needs and date each referral was sent."""

import datetime

import pytest
from django.urls import reverse

from partners.models import User
from referrals.tests.factories import ReferralFactory
from referrals.tests.states import (
    assigned_referral,
    declined_referral,
    draft_referral,
)

LIST = reverse("referrals:clinic-referral-list")


def names(response) -> list[str]:
    return sorted(r.patient.first_name for r in response.context["page_obj"])


@pytest.fixture
def referrals(partnership, clinic, clinic_user, supervisor, navigator):
    sent = datetime.datetime(2026, 3, 3, 7, 30, tzinfo=datetime.UTC)
    rows = {
        "maria": ReferralFactory(
            partnership=partnership,
            clinic=clinic,
            patient__first_name="María",
            patient__last_name="Hernández",
            patient__mrn="WH-1",
            social_needs=["housing-instability"],
            submitted_at=sent,
        ),
        "assigned": assigned_referral(
            supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
        ),
        "declined": declined_referral(supervisor=supervisor, clinic_user=clinic_user),
        "draft": draft_referral(clinic_user=clinic_user),
    }
    for name in ("assigned", "declined", "draft"):
        rows[name].patient.first_name = name
        rows[name].patient.save()
    return rows


@pytest.mark.parametrize("typed", ["Hernandez, Maria", "maria", "HERNÁNDEZ", "wh-1"])
def test_search_by_name_or_mrn(login, clinic_user, referrals, typed):
    assert names(login(clinic_user).get(LIST, {"q": typed, "clinic": ""})) == ["María"]


def test_search_by_referral_code(login, clinic_user, referrals):
    code = referrals["assigned"].short_code
    response = login(clinic_user).get(LIST, {"q": code.lower(), "clinic": ""})
    assert names(response) == ["assigned"]


@pytest.mark.parametrize(
    "show,expected",
    [
        ("open", ["María", "assigned"]),
        ("closed", ["declined"]),
        ("draft", ["draft"]),
        ("assigned", ["assigned"]),
        ("declined", ["declined"]),
        ("", ["María", "assigned", "declined", "draft"]),
    ],
)
def test_status_filter(login, clinic_user, referrals, show, expected):
    response = login(clinic_user).get(LIST, {"show": show, "clinic": ""})
    assert names(response) == expected


def test_the_list_shows_needs_and_the_day_sent(login, clinic_user, referrals):
    text = login(clinic_user).get(LIST, {"clinic": ""}).content.decode()
    assert "Housing instability" in text
    # Sent at 23:30 on 2 March in Portland (3 March in UTC).
    assert "03/02/2026" in text
    assert "Not sent" in text  # the draft


def test_a_bad_status_is_shown_as_an_error_and_the_search_still_applies(
    login, clinic_user, referrals
):
    response = login(clinic_user).get(LIST, {"show": "nonsense", "q": "maria"})
    assert "show" in response.context["form"].errors
    assert names(response) == ["María"]


def test_another_health_systems_patient_is_never_found(
    login, clinic_user, referrals, outsiders
):
    outsider = outsiders[User.Role.CLINIC_STAFF]
    response = login(outsider).get(LIST, {"q": "Hernandez", "clinic": ""})
    assert names(response) == []
    response = login(outsider).get(
        LIST, {"q": referrals["maria"].short_code, "clinic": ""}
    )
    assert names(response) == []


def test_the_list_reads_in_constant_queries(
    login, clinic_user, partnership, clinic, django_assert_max_num_queries
):
    for _ in range(30):
        ReferralFactory(partnership=partnership, clinic=clinic)
    client = login(clinic_user)
    # session, user, organization, the clinics of the filter, count, page (with
    # patients, clinics, navigators, partnerships), the access record, session
    # save (3)
    with django_assert_max_num_queries(12):
        response = client.get(LIST, {"q": "a"})
    with django_assert_max_num_queries(12):
        response = client.get(LIST)
    assert len(response.context["page_obj"].object_list) == 25
