"""*All referrals*: a supervisor finds any referral of the CBO, in any status, by
filters and search; a program manager reads their partnerships' (read-only);
nobody else's organization shows, and a bad filter is a message, not an error."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from chwlink.lib.models import AccessRecord
from chwlink.lib.pagination import page_of
from partners.models import User
from partners.tests.factories import PartnershipFactory, SiteFactory, UserFactory
from referrals import finding
from referrals.models import Referral
from referrals.services import assignment
from referrals.tests.factories import ReferralFactory
from referrals.tests.states import (
    accepted_referral,
    assigned_referral,
    closed_referral,
    contact_at,
    declined_referral,
    draft_referral,
    in_progress_referral,
    on_hold_referral,
)

ALL = reverse("referrals:all-referrals")
Role = User.Role
Status = Referral.Status


def names(response) -> list[str]:
    return sorted(r.patient.first_name for r in response.context["page_obj"])


def found(client, **query) -> list[str]:
    response = client.get(ALL, query)
    assert response.status_code == 200
    return names(response)


@pytest.fixture
def named(partnership, clinic):
    """``named(first, last, **fields)``: a submitted referral of the partnership for
    a new patient with that name."""

    def referral(first, last="Campos", **fields):
        patient = {
            f"patient__{key}": fields.pop(key)
            for key in ("mrn", "preferred_language")
            if key in fields
        }
        return ReferralFactory(
            partnership=partnership,
            clinic=fields.pop("clinic", clinic),
            patient__first_name=first,
            patient__last_name=last,
            **patient,
            **fields,
        )

    return referral


@pytest.fixture
def every_status(partnership, clinic_user, supervisor, navigator):
    """One referral in each status a supervisor may meet, and a clinic's draft."""
    rows = {}
    for name, build in {
        "submitted": lambda: ReferralFactory(partnership=partnership),
        "accepted": lambda: accepted_referral(
            supervisor=supervisor, clinic_user=clinic_user
        ),
        "assigned": lambda: assigned_referral(
            supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
        ),
        "in_progress": lambda: in_progress_referral(
            supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
        ),
        "on_hold": lambda: on_hold_referral(
            supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
        ),
        "completed": lambda: closed_referral(
            supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
        ),
        "declined": lambda: declined_referral(
            supervisor=supervisor, clinic_user=clinic_user
        ),
    }.items():
        referral = build()
        referral.patient.first_name = name
        referral.patient.save()
        rows[name] = referral
    rows["draft"] = draft_referral(clinic_user=clinic_user)
    return rows


def test_a_supervisor_finds_every_sent_referral_in_any_status(
    login, supervisor, every_status
):
    response = login(supervisor).get(ALL)
    shown = {r.code for r in response.context["page_obj"]}
    sent = {r.code for name, r in every_status.items() if name != "draft"}
    assert shown == sent
    # Each row opens the referral's page, where reassigning and sharing are.
    assigned = every_status["assigned"]
    assert reverse("referrals:referral-detail", args=[assigned.code]) in (
        response.content.decode()
    )


def test_the_assigned_referral_opens_with_reassign_and_share(
    login, supervisor, every_status
):
    client = login(supervisor)
    assigned = every_status["assigned"]
    page = client.get(reverse("referrals:referral-detail", args=[assigned.code]))
    text = page.content.decode()
    assert reverse("referrals:referral-assign", args=[assigned.code]) in text
    assert reverse("referrals:referral-share", args=[assigned.code]) in text


@pytest.mark.parametrize(
    "status,expected",
    [
        ("open", ["accepted", "assigned", "in_progress", "on_hold", "submitted"]),
        ("caseload", ["assigned", "in_progress", "on_hold"]),
        ("closed", ["completed", "declined"]),
        ("on_hold", ["on_hold"]),
        ("accepted", ["accepted"]),
    ],
)
def test_status_filter(login, supervisor, every_status, status, expected):
    assert found(login(supervisor), status=status) == expected


def test_navigator_filter_takes_the_navigators_code(
    login, supervisor, navigator, partnership, every_status
):
    other = UserFactory(role=Role.NAVIGATOR, organization=partnership.cbo)
    moved = every_status["in_progress"]
    assignment.referral_reassign(
        referral=moved, actor=supervisor, navigator=other, reason="Leave"
    )
    client = login(supervisor)
    assert found(client, navigator=navigator.code) == [
        "assigned",
        "completed",
        "on_hold",
    ]
    assert found(client, navigator=other.code) == ["in_progress"]


def test_the_filters_list_the_navigators_and_clinics_by_name_and_keep_the_choice(
    login, supervisor, navigator, partnership, clinic, other_partnership
):
    UserFactory(
        role=Role.NAVIGATOR,
        organization=partnership.cbo,
        first_name="Lena",
        last_name="Ortiz",
        is_active=False,
    )
    UserFactory(
        role=Role.NAVIGATOR, organization=other_partnership.cbo, first_name="Zed"
    )
    page = login(supervisor).get(ALL, {"navigator": navigator.code}).content.decode()
    navigators = page[page.index('name="navigator"') : page.index('name="clinic"')]
    chosen = f'<option value="{navigator.code}" selected>{navigator.get_full_name()}<'
    assert chosen in navigators
    assert "Lena Ortiz (no longer active)</option>" in navigators
    assert "Zed" not in navigators
    clinics = page[page.index('name="clinic"') :]
    clinics = clinics[: clinics.index("</select>")]
    assert f'<option value="{clinic.code}">{clinic.name}</option>' in clinics


def test_clinic_need_language_and_urgency_filters(
    login, supervisor, named, clinic, other_clinic
):
    named("Ana", clinic=clinic, social_needs=["food-insecurity"])
    named("Bao", clinic=other_clinic, preferred_language="vi", urgency="urgent")
    named("Cleo", social_needs=["housing-instability", "food-insecurity"])
    client = login(supervisor)
    assert found(client, clinic=other_clinic.code) == ["Bao"]
    assert found(client, need="housing-instability") == ["Cleo"]
    assert found(client, need="food-insecurity") == ["Ana", "Bao", "Cleo"]
    assert found(client, language="vi") == ["Bao"]
    assert found(client, urgency="urgent") == ["Bao"]
    assert found(client, urgency="routine", clinic=clinic.code) == ["Ana", "Cleo"]


def test_sent_between_counts_days_where_the_partnership_works(login, supervisor, named):
    # 23:30 on 2 March in Portland is already 3 March in UTC.
    late = datetime.datetime(2026, 3, 3, 7, 30, tzinfo=datetime.UTC)
    named("Late", submitted_at=late)
    named("Next", submitted_at=late + datetime.timedelta(hours=2))
    client = login(supervisor)
    assert found(client, sent_from="2026-03-02", sent_to="2026-03-02") == ["Late"]
    assert found(client, sent_from="2026-03-03") == ["Next"]
    assert found(client, sent_to="2026-03-01") == []


def test_overdue_is_the_inbox_and_caseload_definition(
    login, partnership, clinic_user, supervisor, navigator
):
    monday = datetime.datetime(2026, 11, 2, 17, 0, tzinfo=datetime.UTC)
    with time_machine.travel(monday, tick=False):
        waiting = ReferralFactory(partnership=partnership)
        waiting.patient.first_name = "Waiting"
        waiting.patient.save()
        called = assigned_referral(
            supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
        )
        silent = assigned_referral(
            supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
        )
    for referral, name in ((called, "Called"), (silent, "Silent")):
        referral.patient.first_name = name
        referral.patient.save()
    # An attempt that did not reach the patient still counts as first contact.
    contact_at(called, navigator, monday + datetime.timedelta(days=1), reached=False)
    friday = datetime.datetime(2026, 11, 6, 18, 0, tzinfo=datetime.UTC)
    with time_machine.travel(friday, tick=False):
        client = login(supervisor)
        response = client.get(ALL, {"overdue": "on", "sort": "patient"})
        page = response.context["page_obj"]
        rows = {r.patient.first_name: r.overdue_step for r in page}
        assert rows == {"Silent": "first_contact", "Waiting": "accept"}
        text = response.content.decode()
        assert "First contact overdue" in text and "Acceptance overdue" in text


@pytest.mark.parametrize(
    "typed",
    ["Hernandez, Maria", "hernández maría", "MARIA", "hern", "Maria Hernandez"],
)
def test_search_by_name_is_blind_to_accents_and_case(login, supervisor, named, typed):
    named("María", "Hernández")
    named("Mario", "Campos")
    assert found(login(supervisor), q=typed) == ["María"]


def test_search_by_mrn_and_by_referral_code(login, supervisor, named):
    ana = named("Ana", mrn="WH-1234")
    bea = named("Bea")
    client = login(supervisor)
    assert found(client, q="wh-1234") == ["Ana"]
    assert found(client, q=bea.short_code) == ["Bea"]
    assert found(client, q=str(bea.code)) == ["Bea"]
    assert ana.short_code != bea.short_code
    assert found(client, q="nobody") == []


def test_sorts(login, supervisor, named):
    old = datetime.datetime(2026, 1, 5, 18, 0, tzinfo=datetime.UTC)
    named("Zoe", "Adams", submitted_at=old)
    named("Ana", "Young", submitted_at=old + datetime.timedelta(days=3))
    client = login(supervisor)

    def order(sort):
        page = client.get(ALL, {"sort": sort}).context["page_obj"]
        return [r.patient.first_name for r in page]

    assert order("sent_oldest") == ["Zoe", "Ana"]
    assert order("sent_newest") == ["Ana", "Zoe"]
    assert order("patient") == ["Zoe", "Ana"]


def test_overdue_first_lists_the_overdue_then_the_others_each_sent_oldest_first(
    login, supervisor, named
):
    monday = datetime.datetime(2026, 11, 2, 18, 0, tzinfo=datetime.UTC)
    hour = datetime.timedelta(hours=1)
    friday = monday + datetime.timedelta(days=4)
    # One business day to accept: those of Monday are overdue on Friday, those of
    # Friday morning not yet.
    for first, sent in [
        ("Fresh-2", friday - hour),
        ("Late-3", monday + 2 * hour),
        ("Fresh-1", friday - 2 * hour),
        ("Late-1", monday),
        ("Late-2", monday + hour),
    ]:
        named(first, submitted_at=sent)
    with time_machine.travel(friday, tick=False):
        client = login(supervisor)

        def shown(**query):
            page = client.get(ALL, {"sort": "overdue", **query}).context["page_obj"]
            return [(r.patient.first_name, r.overdue_step) for r in page]

        everyone = shown()
        assert everyone == [
            ("Late-1", "accept"),
            ("Late-2", "accept"),
            ("Late-3", "accept"),
            ("Fresh-1", ""),
            ("Fresh-2", ""),
        ]
        scope = finding.finding_scope(supervisor)
        rows = finding.all_referrals_for_user(
            user=supervisor, filters={"sort": "overdue"}, scope=scope
        )
        pages = [
            [r.patient.first_name for r in page_of(rows, 2, number)]
            for number in (1, 2, 3)
        ]
        assert pages == [["Late-1", "Late-2"], ["Late-3", "Fresh-1"], ["Fresh-2"]]
        assert page_of(rows, 2, 3).paginator.num_pages == 3
        assert shown(overdue="on") == everyone[:3]


@pytest.mark.parametrize(
    "query,field",
    [
        ({"navigator": "not-a-code"}, "navigator"),
        ({"clinic": "00000000-0000-0000-0000-000000000000"}, "clinic"),
        ({"sent_from": "2026-02-30"}, "sent_from"),
        ({"sent_from": "2026-03-05", "sent_to": "2026-03-01"}, "sent_to"),
        ({"status": "draft"}, "status"),
        ({"sort": "'; DROP TABLE x"}, "sort"),
        ({"q": "x" * 101}, "q"),
    ],
)
def test_a_bad_filter_is_a_message_and_the_others_still_apply(
    login, supervisor, named, query, field
):
    named("Ana", preferred_language="vi")
    named("Bea")
    response = login(supervisor).get(ALL, query | {"language": "vi"})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "Some filters could not be used" in response.content.decode()
    assert names(response) == ["Ana"]


def test_a_clinic_of_another_organization_is_refused_as_a_filter(
    login, supervisor, named, other_partnership
):
    named("Ana")
    foreign = SiteFactory(organization=other_partnership.health_system)
    response = login(supervisor).get(ALL, {"clinic": foreign.code})
    assert "clinic" in response.context["form"].errors
    assert names(response) == ["Ana"]


def test_outsiders_see_none_of_the_cbos_referrals(
    login, every_status, outsiders, other_partnership
):
    theirs = ReferralFactory(partnership=other_partnership)
    for role in (Role.SUPERVISOR, Role.PROGRAM_MANAGER):
        response = login(outsiders[role]).get(ALL)
        assert [r.code for r in response.context["page_obj"]] == [theirs.code]
        # Not even by searching for one of ours.
        ours = every_status["assigned"]
        assert found(login(outsiders[role]), q=ours.short_code) == []


def test_navigators_and_clinic_staff_may_not_open_it(
    login, navigator, clinic_user, every_status
):
    assert login(navigator).get(ALL).status_code == 403
    assert login(clinic_user).get(ALL).status_code == 403


def test_program_managers_of_both_sides_read_their_partnerships_referrals(
    login, manager, partnership, every_status, supervisor
):
    cbo_manager = UserFactory(role=Role.PROGRAM_MANAGER, organization=partnership.cbo)
    # The CBO also works for another health system: its manager sees both, the
    # first health system's manager only its own.
    elsewhere = PartnershipFactory(cbo=partnership.cbo)
    other_system = ReferralFactory(partnership=elsewhere)
    sent = {r.code for name, r in every_status.items() if name != "draft"}
    response = login(manager).get(ALL)
    assert {r.code for r in response.context["page_obj"]} == sent
    assert "read-only" in response.content.decode()
    response = login(cbo_manager).get(ALL)
    assert {r.code for r in response.context["page_obj"]} == sent | {other_system.code}
    assert not response.context["works_referrals"]
    assert login(supervisor).get(ALL).context["works_referrals"]


def test_pages_of_25_in_constant_queries(
    login, supervisor, partnership, navigator, django_assert_max_num_queries
):
    for _ in range(30):
        referral = ReferralFactory(partnership=partnership)
    assignment.referral_assign(referral=referral, actor=supervisor, navigator=navigator)
    client = login(supervisor)
    client.get(ALL)
    # session, user, organization, partnerships, contracts in force, count, page
    # (with patients, clinics, navigators), the clinics and navigators of the
    # filters, the access record, session save (3)
    with django_assert_max_num_queries(15):
        response = client.get(ALL, {"q": "a", "need": "food-insecurity"})
    with django_assert_max_num_queries(15):
        response = client.get(ALL)
    assert len(response.context["page_obj"].object_list) == 25
    second = client.get(ALL, {"page": 2})
    assert len(second.context["page_obj"].object_list) == 5


def test_the_patients_shown_are_in_the_access_log(login, supervisor, named):
    shown = named("Ana")
    client = login(supervisor)
    client.get(ALL)
    record = AccessRecord.objects.filter(user=supervisor).latest("pk")
    assert record.action == AccessRecord.Action.LIST
    assert shown.code in record.shown_codes
