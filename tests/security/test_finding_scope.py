"""*All referrals*, its search and the team board show nothing of another
organization: the other partnership's supervisor and program manager find none of
the home partnership's patients (by listing, by name, by MRN or by code) and see
none of its navigators."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chwlink.lib.forms import has_control_characters
from referrals.models import Referral
from tests.security.test_access_record_walk import body_of
from tests.security.test_bad_input import FIELD_VALUE
from tests.security.world import PATIENTS, Role

pytestmark = pytest.mark.django_db

ALL = reverse("referrals:all-referrals")
TEAM = reverse("referrals:team-board")


def _markers():
    return [marker for first, last, _born, mrn, phone in PATIENTS
            for marker in (first, last, mrn, phone)]  # fmt: skip


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.PROGRAM_MANAGER])
def test_outsiders_find_none_of_the_home_partnerships_referrals(world, signed_in, role):
    client = signed_in(world.outsiders[role])
    home = Referral.objects.filter(partnership=world.partnership).first()
    searches = [{}, {"status": "open"}, {"overdue": "on"}, {"q": home.short_code}]
    searches += [{"q": f"{last}, {first}"} for first, last, *_rest in PATIENTS]
    searches += [{"q": mrn} for _f, _l, _b, mrn, _p in PATIENTS]
    for query in searches:
        response = client.get(ALL, query)
        assert response.status_code == 200
        shown = {r.partnership_id for r in response.context["page_obj"]}
        assert world.partnership.pk not in shown, query
        # What was typed comes back in the search box and in the page's return
        # addresses: look for everything else.
        body = body_of(response)
        typed = query.get("q", "")
        assert not [m for m in _markers() if m in body and m not in typed], query


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.PROGRAM_MANAGER])
def test_outsiders_see_none_of_the_home_navigators_on_the_team_board(
    world, signed_in, role
):
    home_navigator = world.users["navigator"]
    response = signed_in(world.outsiders[role]).get(TEAM)
    assert response.status_code == 200
    listed = {load.navigator.pk for load in response.context["board"]["navigators"]}
    assert home_navigator.pk not in listed
    assert home_navigator.get_full_name() not in body_of(response)
    partnerships = {row.partnership.pk for row in response.context["board"]["capacity"]}
    assert world.partnership.pk not in partnerships


def test_the_home_supervisor_finds_a_patient_by_name_without_accents(world, signed_in):
    client = signed_in(world.users["supervisor"])
    # The submitted referral's patient, José Ramírez (María's is a draft).
    first, last, *_rest = PATIENTS[1]
    response = client.get(ALL, {"q": "Ramirez, Jose"})
    assert {r.patient.last_name for r in response.context["page_obj"]} == {last}
    assert first in body_of(response)


FILTERS = {
    ALL: [
        "q",
        "status",
        "navigator",
        "clinic",
        "need",
        "language",
        "urgency",
        "sent_from",
        "sent_to",
        "overdue",
        "sort",
        "page",
    ],
    reverse("referrals:clinic-referral-list"): ["q", "clinic", "show", "page"],
}


@pytest.mark.parametrize(
    "url,role",
    [
        (ALL, "supervisor"),
        (ALL, "manager"),
        (reverse("referrals:clinic-referral-list"), "clinic"),
    ],
)
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_generated_filters_never_break_the_lists(world, signed_in, url, role, data):
    fields = FILTERS[url]
    query = data.draw(
        st.fixed_dictionaries({}, optional=dict.fromkeys(fields, FIELD_VALUE))
    )
    response = signed_in(world.users[role]).get(url, query)
    if response.status_code == 400:
        # A null byte or another control character in the address: refused
        # before any view (as in every page), never a server error.
        values = [v for value in query.values() for v in (value, *value)]
        assert any(has_control_characters(str(v)) for v in values), query
        return
    assert response.status_code == 200, (url, query)
