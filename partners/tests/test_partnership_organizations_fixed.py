"""Issue 13, item 1: the organizations of an existing partnership never change
through the program managers' forms; an administrator may change them in the
Django admin, after a confirmation that says what moves, and the change is logged."""

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from partners import services
from partners.models import Organization, Partnership, User
from partners.tests.factories import OrganizationFactory, UserFactory
from referrals.tests import states

Role = User.Role


@pytest.fixture
def worked(partnership, clinic_user, supervisor, navigator):
    return states.in_progress_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )


def edit_data(partnership, **changes):
    return {
        "name": partnership.name,
        "health_system": partnership.health_system_id,
        "cbo": partnership.cbo_id,
        "status": partnership.status,
        "time_zone": "America/Los_Angeles",
        "business_days": ["0", "1"],
    } | changes


def test_the_edit_form_shows_the_organizations_without_offering_others(
    login, manager, partnership
):
    OrganizationFactory(name="Unrelated CBO", kind=Organization.Kind.CBO)
    page = login(manager).get(
        reverse("partners:partnership-edit", args=[partnership.code])
    )
    form = page.context["form"]
    assert "health_system" not in form.fields
    assert "cbo" not in form.fields
    content = page.content.decode()
    assert "Unrelated CBO" not in content
    assert partnership.cbo.name in content


@pytest.mark.parametrize("side", ["health_system", "cbo"])
def test_a_manager_posting_another_organization_moves_nothing(
    login, partnership, worked, side
):
    own = getattr(partnership, side)
    other_side = "cbo" if side == "health_system" else "health_system"
    manager = UserFactory(role=Role.PROGRAM_MANAGER, organization=own)
    kind = getattr(partnership, other_side).kind
    stranger = OrganizationFactory(name="Unrelated organization", kind=kind)
    response = login(manager).post(
        reverse("partners:partnership-edit", args=[partnership.code]),
        edit_data(partnership, name="Renamed", **{other_side: stranger.pk}),
    )
    assert response.status_code == 302
    stored = Partnership.objects.get(pk=partnership.pk)
    assert stored.name == "Renamed"
    assert (stored.health_system_id, stored.cbo_id) == (
        partnership.health_system_id,
        partnership.cbo_id,
    )
    worked.refresh_from_db()
    assert worked.partnership_id == partnership.pk


def test_the_service_refuses_to_move_a_partnership(manager, partnership):
    stranger = OrganizationFactory(kind=Organization.Kind.CBO)
    with pytest.raises(PermissionDenied):
        services.partnership_update(
            actor=manager, partnership=partnership, data={"cbo": stranger}
        )
    assert Partnership.objects.get(pk=partnership.pk).cbo_id == partnership.cbo_id


def test_no_edit_turns_a_partnership_back_into_an_invitation(manager, partnership):
    with pytest.raises(PermissionDenied):
        services.partnership_update(
            actor=manager,
            partnership=partnership,
            data={"status": Partnership.Status.INVITED},
        )


def admin_data(client, partnership, **changes):
    url = reverse("admin:partners_partnership_change", args=[partnership.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list)
    }
    data |= {
        "business_days": ",".join(str(d) for d in partnership.business_days),
        "mfa_required_roles": "",
    }
    return url, data | changes


def test_the_admin_asks_before_moving_and_logs_what_moved(
    client, administrator, partnership, worked
):
    new_cbo = OrganizationFactory(name="New CBO", kind=Organization.Kind.CBO)
    client.force_login(administrator)
    url, data = admin_data(client, partnership, cbo=new_cbo.pk)
    page = client.post(url, data)
    assert page.status_code == 200
    content = page.content.decode()
    assert "referrals: 1, patients: 1, contact notes: 1, pathways: 0" in content
    assert Partnership.objects.get(pk=partnership.pk).cbo_id == partnership.cbo_id

    assert client.post(url, data | {"confirm_move": "on"}).status_code == 302
    assert Partnership.objects.get(pk=partnership.pk).cbo_id == new_cbo.pk
    logged = LogEntry.objects.filter(object_id=str(partnership.pk))
    messages = [entry.get_change_message() for entry in logged]
    assert any(
        "from Home Health System + Home CBO to Home Health System + New CBO" in m
        and "referrals: 1" in m
        for m in messages
    )


def test_the_admin_edits_other_fields_without_the_confirmation(
    client, administrator, partnership
):
    client.force_login(administrator)
    url, data = admin_data(client, partnership, name="Renamed")
    assert client.post(url, data).status_code == 302
    assert Partnership.objects.get(pk=partnership.pk).name == "Renamed"
