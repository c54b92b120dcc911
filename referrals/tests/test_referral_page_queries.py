"""The referral page of a referral with a full history (consent, sharing, contacts,
pathways with steps and linked resources) runs a fixed number of queries, however
long that history grows."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners.models import User
from partners.tests.factories import UserFactory
from referrals.models import ResourceOrganization, ResourceService
from referrals.services import assignment, contacts, pathways
from referrals.tests.states import in_progress_referral

NEEDS = ["food-insecurity", "housing-instability", "transportation-insecurity"]


def test_the_referral_page_does_not_grow_with_its_history(
    login,
    partnership,
    clinic_user,
    supervisor,
    navigator,
    django_assert_max_num_queries,
):
    referral = in_progress_referral(
        supervisor=supervisor,
        navigator=navigator,
        clinic_user=clinic_user,
        social_needs=NEEDS,
    )
    organization = ResourceOrganization.objects.create(
        directory_owner=partnership.cbo, name="Eastside Food Bank"
    )

    def grow(number):
        colleague = UserFactory(role=User.Role.NAVIGATOR, organization=partnership.cbo)
        assignment.referral_share(
            referral=referral, actor=supervisor, navigator=colleague
        )
        contacts.encounter_log(
            referral=referral,
            actor=navigator,
            occurred_at=timezone.now(),
            mode="phone",
            reached=True,
            minutes=10,
        )
        pathway = pathways.pathway_open(
            referral=referral, actor=navigator, need=NEEDS[number], goal="Met"
        )
        for letter in "ab":
            service = ResourceService.objects.create(
                organization=organization,
                name=f"Service {number}{letter}",
                needs=[NEEDS[number]],
                languages=["en"],
            )
            pathways.pathway_resource_link(
                pathway=pathway, actor=navigator, service=service
            )

    def queries():
        client = login(supervisor)
        client.get(f"/referrals/{referral.code}/")  # the session is stamped once
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/referrals/{referral.code}/")
        assert response.status_code == 200
        return len(captured)

    grow(0)
    few = queries()
    grow(1)
    grow(2)
    assert queries() == few
    client = login(supervisor)
    client.get(f"/referrals/{referral.code}/")
    # session, user; the referral with patient, clinic, navigator, partnership,
    # referrer and consent recorder; where it was sent on to (with its CBO; where
    # it came from only when it was sent on from one); events with actors,
    # navigators, contacts and pathways; contacts with navigators; pathways; their
    # steps; their resources with services and organizations; whether a pathway is
    # open; the outcome of each need; the screenings with their instruments; the
    # user's organization (menu); the access record; session stamp (3).
    with django_assert_max_num_queries(17):
        client.get(f"/referrals/{referral.code}/")
