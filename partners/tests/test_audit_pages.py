"""Supervisors and program managers see who viewed or changed a patient; only
administrators search and export the whole access log."""

import csv
import io

import pytest
from django.urls import reverse

from chwlink.lib.models import AccessRecord
from partners.access import Role
from partners.tests.factories import UserFactory
from referrals.models import Referral
from referrals.tests.factories import ReferralFactory


@pytest.fixture
def referral(partnership, clinic):
    return ReferralFactory(partnership=partnership, clinic=clinic)


def _audit_url(referral, **query):
    url = reverse("partners:patient-audit", args=[referral.patient.code])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()))


def test_supervisor_sees_who_opened_the_patients_referral(
    login, client, supervisor, navigator, referral
):
    login(navigator)
    client.get(reverse("referrals:referral-detail", args=[referral.code]))
    client.logout()

    response = login(supervisor).get(_audit_url(referral))

    assert response.status_code == 200
    assert navigator.get_full_name() in response.content.decode()
    assert response.context["page_obj"][0].user == navigator


def test_manager_sees_changes_with_old_and_new_values(login, manager, referral):
    Referral.objects.filter(pk=referral.pk).update(notes_for_navigator="Evenings")

    response = login(manager).get(_audit_url(referral, show="changes"))

    page = response.content.decode()
    assert "notes_for_navigator" in page and "Evenings" in page


def test_patient_page_links_to_the_audit_for_supervisors_only(
    login, supervisor, clinic_user, referral
):
    url = reverse("referrals:patient-detail", args=[referral.patient.code])
    audit_url = reverse("partners:patient-audit", args=[referral.patient.code])

    assert audit_url in login(supervisor).get(url).content.decode()
    assert audit_url not in login(clinic_user).get(url).content.decode()


@pytest.mark.parametrize("role", [Role.CLINIC_STAFF, Role.NAVIGATOR])
def test_other_roles_of_the_partnership_cannot_open_the_audit(
    login, partnership, referral, role
):
    organization = (
        partnership.cbo if role == Role.NAVIGATOR else partnership.health_system
    )
    user = UserFactory(role=role, organization=organization)

    assert login(user).get(_audit_url(referral)).status_code in (403, 404)


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.PROGRAM_MANAGER])
def test_supervisor_or_manager_of_another_partnership_gets_404(
    login, outsiders, referral, role
):
    response = login(outsiders[role]).get(_audit_url(referral))

    assert response.status_code == 404
    assert AccessRecord.objects.filter(action="denied").exists()


@pytest.mark.parametrize("show", ["reads", "changes"])
def test_audit_page_queries_do_not_grow_with_records(
    login, client, supervisor, navigator, referral, show, django_assert_max_num_queries
):
    for number in range(3):
        Referral.objects.filter(pk=referral.pk).update(notes_for_navigator=number)
        login(navigator).get(reverse("referrals:referral-detail", args=[referral.code]))
    client = login(supervisor)
    # session, user, patient, its referrals, pathways, other record codes, count,
    # page, navigation's organization, access record, session save in a savepoint
    with django_assert_max_num_queries(13):
        response = client.get(_audit_url(referral, show=show))
    assert len(response.context["rows"]) >= 3


def test_administrator_searches_by_patient_mrn_and_exports(
    reauthenticated, login, client, supervisor, administrator, referral
):
    login(supervisor).get(reverse("referrals:referral-detail", args=[referral.code]))
    client.logout()
    admin = reauthenticated(administrator)

    response = admin.get(
        reverse("partners:audit-search"), {"patient": referral.patient.mrn}
    )
    assert [r.user for r in response.context["page_obj"]] == [supervisor]

    export = admin.get(
        reverse("partners:audit-export"), {"user": supervisor.email.upper()}
    )
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[1][1] == supervisor.email
    assert AccessRecord.objects.filter(
        user=administrator, object_type="audit_log", action="export"
    ).exists()


def test_audit_search_is_for_administrators_only(login, supervisor):
    assert login(supervisor).get(reverse("partners:audit-search")).status_code == 403


def test_administrators_browse_changes_in_the_admin(login, administrator, referral):
    Referral.objects.filter(pk=referral.pk).update(notes_for_navigator="Mornings")

    response = login(administrator).get(reverse("admin:pghistory_events_changelist"))

    assert response.status_code == 200
    assert "Mornings" in response.content.decode()


def test_administrator_exports_the_changes_to_a_patient(
    reauthenticated, login, administrator, supervisor, clinic_user, partnership, clinic
):
    from referrals.tests.factories import ReferralFactory

    referral = ReferralFactory(partnership=partnership, clinic=clinic)
    login(supervisor).post(
        f"/referrals/{referral.code}/accept/", {"version": referral.version}
    )
    client = reauthenticated(administrator)
    url = "/audit/changes.csv"
    content = client.get(url, {"patient": referral.patient.mrn}).content.decode()
    assert supervisor.email in content
    assert "status: submitted -> accepted" in content
    by_other = client.get(url, {"user": clinic_user.email}).content.decode()
    assert "submitted -> accepted" not in by_other
