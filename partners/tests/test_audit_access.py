"""Every read of PHI leaves an access record: views, lists (with what they showed),
exports, and refused requests; the records cannot be changed."""

import pytest
from django.db import connection, transaction
from django.db.utils import InternalError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chwlink.lib.models import AccessRecord
from evaluation import figures
from evaluation.models import Story
from evaluation.tests.factories import caseload_referral
from partners.access import Role
from referrals.tests.factories import ReferralFactory

Action = AccessRecord.Action


@pytest.fixture
def referral(partnership, clinic):
    return ReferralFactory(partnership=partnership, clinic=clinic)


def test_opening_a_referral_records_who_viewed_it_from_where(
    login, supervisor, referral
):
    url = reverse("referrals:referral-detail", args=[referral.code])

    response = login(supervisor).get(f"{url}?tab=timeline", REMOTE_ADDR="10.1.2.3")

    assert response.status_code == 200
    record = AccessRecord.objects.get()
    assert record.user == supervisor
    assert record.organization_id == supervisor.organization_id
    assert (record.object_type, record.object_code) == ("referral", referral.code)
    assert record.action == Action.VIEW
    assert record.ip_address == "10.1.2.3"
    assert record.path == url
    assert record.request_id is not None


def test_opening_a_patient_records_a_view(login, clinic_user, referral):
    login(clinic_user).get(
        reverse("referrals:patient-detail", args=[referral.patient.code])
    )

    record = AccessRecord.objects.get()
    assert (record.object_type, record.object_code) == (
        "patient",
        referral.patient.code,
    )


def test_the_inbox_records_which_referrals_it_showed(
    login, supervisor, partnership, clinic
):
    shown = ReferralFactory.create_batch(2, partnership=partnership, clinic=clinic)

    login(supervisor).get(reverse("referrals:inbox"))

    record = AccessRecord.objects.get()
    assert record.action == Action.LIST
    assert set(record.shown_codes) == {r.code for r in shown}


def test_a_caseload_records_the_navigators_referrals(
    login, partnership, supervisor, navigator
):
    referral = caseload_referral(
        partnership=partnership, supervisor=supervisor, navigator=navigator
    )

    login(navigator).get(reverse("referrals:caseload"))

    assert AccessRecord.objects.get().shown_codes == [referral.code]


def test_an_outsider_opening_a_referral_gets_404_and_a_refused_record(
    login, outsiders, referral
):
    outsider = outsiders[Role.SUPERVISOR]

    response = login(outsider).get(
        reverse("referrals:referral-detail", args=[referral.code])
    )

    assert response.status_code == 404
    record = AccessRecord.objects.get()
    assert (record.user, record.action, record.object_code) == (
        outsider,
        Action.DENIED,
        referral.code,
    )


def test_a_refused_post_to_a_transition_is_recorded(login, outsiders, referral):
    login(outsiders[Role.SUPERVISOR]).post(
        reverse("referrals:referral-transition", args=[referral.code, "accept"])
    )

    record = AccessRecord.objects.get()
    assert (record.action, record.object_type) == (Action.DENIED, "referral")


def test_a_dashboard_table_export_is_recorded(login, manager):
    table = next(iter(figures.dashboard_for_user(manager, {})["tables"]))

    response = login(manager).get(reverse("evaluation:export-table", args=[table]))

    assert response.status_code == 200
    assert AccessRecord.objects.get().action == Action.EXPORT


def test_pages_without_phi_are_not_recorded(login, manager, partnership):
    login(manager).get(reverse("partners:partnership-list"))

    assert not AccessRecord.objects.exists()


def test_signed_out_visitors_leave_no_record(client, referral):
    client.get(reverse("referrals:referral-detail", args=[referral.code]))

    assert not AccessRecord.objects.exists()


@pytest.mark.parametrize("change", ["update", "delete"])
def test_access_records_cannot_be_changed_or_deleted(
    login, supervisor, referral, change
):
    login(supervisor).get(reverse("referrals:referral-detail", args=[referral.code]))
    records = AccessRecord.objects.all()

    with pytest.raises(InternalError), transaction.atomic():
        if change == "update":
            records.update(path="/elsewhere/")
        else:
            records.delete()
    assert AccessRecord.objects.get().path.startswith("/referrals/")


def test_one_insert_is_the_whole_cost_of_recording(login, supervisor, referral):
    client = login(supervisor)
    url = reverse("referrals:referral-detail", args=[referral.code])
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        client.get(url)
    inserts = [q for q in context.captured_queries if "accessrecord" in q["sql"]]
    assert len(inserts) == 1


def test_stories_list_and_page_record_the_stories_read(
    login, partnership, supervisor, navigator
):
    referral = caseload_referral(
        partnership=partnership, supervisor=supervisor, navigator=navigator
    )
    client = login(navigator)
    client.post(
        reverse("evaluation:story-new", args=[referral.patient.code]),
        {
            "title": "Back on my feet",
            "told_on": "2026-05-01",
            "language": "es",
            "domain": "housing",
            "text": "Found a home with help.",
            "consent_scope": "internal",
        },
    )
    story = Story.objects.get()

    client.get(reverse("evaluation:story-list"))
    client.get(reverse("evaluation:story-detail", args=[story.code]))

    listed, viewed = AccessRecord.objects.order_by("id")
    assert (listed.action, listed.shown_codes) == (Action.LIST, [story.code])
    assert (viewed.action, viewed.object_code) == (Action.VIEW, story.code)
    insert = story.history.get(pgh_label="insert")
    assert insert.pgh_context.metadata["user"] == navigator.pk
