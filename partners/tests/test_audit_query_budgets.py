"""The administrators' audit search and exports cost the same number of queries
however many people the records name."""

import pghistory
import pytest
from django.urls import reverse

from chwlink.lib.models import AccessRecord
from partners.access import Role
from partners.tests.factories import UserFactory
from referrals.models import Referral
from referrals.tests.factories import ReferralFactory


def people(partnership, count):
    return [
        UserFactory(role=Role.SUPERVISOR, organization=partnership.cbo)
        for _ in range(count)
    ]


@pytest.fixture
def reads(partnership, clinic):
    """One read of a referral by each of five people."""
    referral = ReferralFactory(partnership=partnership, clinic=clinic)
    for person in people(partnership, 5):
        AccessRecord.objects.create(
            user=person,
            organization=person.organization,
            object_type="referral",
            object_code=referral.code,
            action=AccessRecord.Action.VIEW,
            path=f"/referrals/{referral.code}/",
        )
    return referral


@pytest.fixture
def changes(partnership, clinic):
    """One change to a referral by each of five people."""
    referral = ReferralFactory(partnership=partnership, clinic=clinic)
    for number, person in enumerate(people(partnership, 5)):
        with pghistory.context(user=person.pk, url="/edit/"):
            Referral.objects.filter(pk=referral.pk).update(
                notes_for_navigator=f"Note {number}"
            )
    return referral


def test_the_audit_search_page_queries_do_not_grow_with_people(
    login, administrator, reads, django_assert_max_num_queries
):
    client = login(administrator)
    # session, user, count, navigation's organization, the page of records with
    # their people and organizations, session save in a savepoint (3)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("partners:audit-search"))
    assert len(response.context["page_obj"]) == 5
    assert response.content.decode().count("Home CBO") >= 5


def test_the_access_log_export_queries_do_not_grow_with_people(
    reauthenticated, login, administrator, reads, django_assert_max_num_queries
):
    client = reauthenticated(administrator)
    # session, user, records with their people and organizations, the export's
    # access record, session save in a savepoint (3)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("partners:audit-export"))
    assert len(response.content.decode().splitlines()) == 6


def test_the_change_export_queries_do_not_grow_with_people(
    reauthenticated, login, administrator, changes, django_assert_max_num_queries
):
    client = reauthenticated(administrator)
    # session, user, history context, events with their people, the export's
    # access record, session save in a savepoint (3)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("partners:audit-changes-export"))
    assert response.content.decode().count("/edit/") == 5
