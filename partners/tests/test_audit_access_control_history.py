"""Changes to who may see what are kept in the history like changes to PHI: people's
role, organization and active flag, partnerships with their clinics and two-factor
policy, referral sharing, contracts and their rates, notification settings. They
reach the administrators' change export and cannot be rewritten."""

import csv
import datetime
import io

import pytest
from django.db import transaction
from django.db.utils import InternalError
from django.urls import reverse

from partners import services as partner_services
from partners.models import Contract, Partnership, User
from partners.tests.factories import SiteFactory
from referrals.services import notifications
from referrals.tests import states
from referrals.tests.factories import PatientFactory

Role = User.Role


def exported_changes(client, **query) -> list[dict]:
    response = client.get(reverse("partners:audit-changes-export"), query)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def rows_of(rows, record_type):
    return [row for row in rows if row["record_type"] == record_type]


def test_role_organization_and_deactivation_are_kept_without_the_password(
    reauthenticated, login, administrator, navigator, other_partnership
):
    home_cbo = navigator.organization_id
    User.objects.filter(pk=navigator.pk).update(
        role=Role.SUPERVISOR, organization=other_partnership.cbo
    )
    navigator.refresh_from_db()
    partner_services.user_deactivate(user=navigator)
    navigator.set_password("a new long passphrase")
    navigator.save()
    User.objects.filter(pk=navigator.pk).update(last_login="2026-12-01T10:00:00Z")

    changes = [
        row["changes"]
        for row in rows_of(
            exported_changes(reauthenticated(administrator)), "partners.User"
        )
        if row["record_id"] == str(navigator.pk) and row["event"] == "update"
    ]

    assert any(
        "role: navigator -> supervisor" in c
        and f"organization_id: {home_cbo} -> {other_partnership.cbo_id}" in c
        for c in changes
    )
    assert any("is_active: True -> False" in c for c in changes)
    # A new password or a sign-in changes nothing the history keeps.
    assert len(changes) == 2
    assert not any("password" in c or "last_login" in c for c in changes)


def test_partnership_clinics_and_two_factor_policy_are_kept(
    reauthenticated, login, administrator, manager, partnership, clinic
):
    partnership.clinics.add(clinic)
    second = SiteFactory(organization=partnership.health_system, name="East Clinic")
    partner_services.partnership_update(
        actor=manager,
        partnership=partnership,
        data={"clinics": [second], "mfa_required_roles": [Role.SUPERVISOR]},
    )

    rows = exported_changes(reauthenticated(administrator))

    policy = rows_of(rows, "partners.Partnership")
    assert any(
        "mfa_required_roles: [] -> ['supervisor']" in row["changes"] for row in policy
    )
    clinics = {
        (row["event"], row["changes"])
        for row in rows_of(rows, "partners.PartnershipClinic")
    }
    assert (
        "clinic.add",
        f"partnership_id: None -> {partnership.pk}; site_id: None -> {second.pk}",
    ) in clinics
    assert (
        "clinic.remove",
        f"partnership_id: {partnership.pk} -> None; site_id: {clinic.pk} -> None",
    ) in clinics


def test_sharing_a_referral_is_kept_with_who_shared_it(
    reauthenticated,
    login,
    administrator,
    supervisor,
    navigator,
    clinic_user,
    partnership,
):
    other = User.objects.create_user(
        email="second@home.test",
        password="long enough passphrase",
        first_name="Nadia",
        role=Role.NAVIGATOR,
        organization=partnership.cbo,
    )
    referral = states.assigned_referral(
        supervisor=supervisor,
        navigator=navigator,
        clinic_user=clinic_user,
        patient=PatientFactory(health_system=partnership.health_system),
    )
    url = reverse("referrals:referral-share", args=[referral.code])
    assert login(supervisor).post(url, {"navigator": other.pk}).status_code == 302

    rows = exported_changes(reauthenticated(administrator), user=supervisor.email)

    shared = rows_of(rows, "referrals.ReferralSharing")
    assert [row["event"] for row in shared] == ["shared"]
    assert f"user_id: None -> {other.pk}" in shared[0]["changes"]
    assert shared[0]["url"] == url
    # The sharing is also in the patient's own trail.
    trail = exported_changes(
        reauthenticated(administrator), patient=str(referral.patient.code)
    )
    assert rows_of(trail, "referrals.ReferralSharing")


def test_contracts_rates_and_notification_settings_are_kept(
    reauthenticated, login, administrator, manager, partnership
):
    contract = partner_services.contract_save(
        actor=manager,
        partnership=partnership,
        data={
            "kind": Contract.Kind.PAYMENT,
            "title": "Payment agreement",
            "effective_on": datetime.date(2026, 1, 1),
        },
    )
    partner_services.contract_save(
        actor=manager,
        partnership=partnership,
        contract=contract,
        data={"status": Contract.Status.SIGNED},
        rates={"food_security": "300.00"},
    )
    notifications.notification_preference_set(user=manager, email_mode="digest")
    notifications.notification_preference_set(user=manager, email_mode="none")

    rows = exported_changes(reauthenticated(administrator))

    assert any(
        "status: draft -> signed" in row["changes"]
        for row in rows_of(rows, "partners.Contract")
    )
    assert [row["event"] for row in rows_of(rows, "partners.PathwayRate")] == ["insert"]
    assert any(
        "email_mode: digest -> none" in row["changes"]
        for row in rows_of(rows, "referrals.NotificationPreference")
    )


@pytest.mark.parametrize("change", ["update", "delete"])
def test_the_access_history_cannot_be_rewritten(partnership, change):
    Partnership.objects.filter(pk=partnership.pk).update(
        mfa_required_roles=["navigator"]
    )
    history = partnership.history.all()
    with pytest.raises(InternalError), transaction.atomic():
        if change == "update":
            history.update(mfa_required_roles=[])
        else:
            history.delete()
    assert partnership.history.filter(mfa_required_roles=["navigator"]).exists()
