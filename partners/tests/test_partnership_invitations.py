"""Issue 13, item 2: a partnership a program manager creates is an invitation the
other organization must accept; until then nothing goes through it and neither
side sees the other's people or directory."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from chwlink.lib.models import OutboundEmail
from evaluation.figures import dashboard_choices
from partners import invitations, selectors
from partners.mfa import mfa_setup_required_query
from partners.models import Organization, Partnership, User
from partners.tests.factories import OrganizationFactory, SiteFactory, UserFactory
from referrals.models import Notification
from referrals.selectors import resource_directory_owners_for_user
from referrals.services.notifications import notification_text

Role = User.Role
Kind = Notification.Kind


@pytest.fixture
def stranger_cbo(db):
    return OrganizationFactory(name="Unrelated CBO", kind=Organization.Kind.CBO)


@pytest.fixture
def stranger_manager(stranger_cbo):
    return UserFactory(
        role=Role.PROGRAM_MANAGER, organization=stranger_cbo, email="pm@cbo.test"
    )


@pytest.fixture
def stranger_navigator(stranger_cbo):
    return UserFactory(role=Role.NAVIGATOR, organization=stranger_cbo)


@pytest.fixture
def invitation(manager, stranger_cbo, stranger_manager):
    return invitations.partnership_invite(
        actor=manager,
        data={
            "name": "Proposed",
            "health_system": manager.organization,
            "cbo": stranger_cbo,
            "health_system_contact": manager,
        },
    )


DECISIONS = [Kind.PARTNERSHIP_DECLINED, Kind.PARTNERSHIP_WITHDRAWN]


def test_a_managers_partnership_is_an_invitation_the_other_side_hears_of(
    invitation, manager, stranger_cbo, stranger_manager
):
    assert invitation.status == Partnership.Status.INVITED
    assert invitation.inviting_organization_id == manager.organization_id
    assert invitation.invited_organization_id == stranger_cbo.pk
    told = Notification.objects.get(kind=Kind.PARTNERSHIP_INVITATION)
    assert told.recipient == stranger_manager
    assert told.link == reverse("partners:partnership-detail", args=[invitation.code])
    queued = OutboundEmail.objects.get()
    assert queued.to == stranger_manager.email
    assert "invites your organization" in queued.body_text


def test_the_create_form_fixes_the_own_side_and_offers_no_foreign_people(
    login, manager, stranger_cbo, stranger_manager
):
    page = login(manager).get(reverse("partners:partnership-new"))
    form = page.context["form"]
    assert list(form.fields["health_system"].queryset) == [manager.organization]
    assert "status" not in form.fields
    assert "cbo_contact" not in form.fields
    assert set(form.fields["health_system_contact"].queryset) <= set(
        User.objects.filter(organization=manager.organization)
    )
    assert stranger_manager.get_full_name() not in page.content.decode()
    # A new partnership starts in the model's own time zone, not the list's first.
    assert form["time_zone"].value() == "America/Los_Angeles"
    assert '<option value="America/Los_Angeles" selected>' in page.content.decode()


def test_posting_the_create_form_sends_an_invitation(
    login, manager, stranger_cbo, stranger_manager, other_partnership
):
    client = login(manager)
    data = {
        "name": "Proposed",
        "health_system": manager.organization_id,
        "cbo": stranger_cbo.pk,
        "status": "active",
        "time_zone": "America/Chicago",
        "business_days": ["0"],
    }
    refused = client.post(
        reverse("partners:partnership-new"),
        data | {"health_system": other_partnership.health_system_id},
    )
    assert list(refused.context["form"].errors) == ["health_system"]
    assert not Partnership.objects.filter(name="Proposed").exists()
    response = client.post(reverse("partners:partnership-new"), data)
    assert response.status_code == 302
    created = Partnership.objects.get(name="Proposed")
    assert created.status == Partnership.Status.INVITED


def test_a_cbo_manager_invites_without_naming_the_health_systems_clinics(
    partnership, clinic
):
    cbo_manager = UserFactory(role=Role.PROGRAM_MANAGER, organization=partnership.cbo)
    health_system = OrganizationFactory(kind=Organization.Kind.HEALTH_SYSTEM)
    with pytest.raises(PermissionDenied):
        invitations.partnership_invite(
            actor=cbo_manager,
            data={
                "name": "Proposed",
                "health_system": health_system,
                "cbo": partnership.cbo,
                "clinics": [SiteFactory(organization=health_system)],
            },
        )
    assert not Partnership.objects.filter(name="Proposed").exists()


def test_the_other_side_accepts_and_both_sides_hear_of_it(
    invitation, manager, stranger_manager, login
):
    colleague = UserFactory(
        role=Role.PROGRAM_MANAGER, organization=stranger_manager.organization
    )
    client = login(stranger_manager)
    listed = client.get(reverse("partners:invitation-list"))
    assert list(listed.context["to_answer"]) == [invitation]
    response = client.post(
        reverse("partners:invitation-accept", args=[invitation.code])
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == Partnership.Status.PLANNING
    assert invitation.answered_by == stranger_manager
    told = set(
        Notification.objects.filter(kind=Kind.PARTNERSHIP_ACCEPTED).values_list(
            "recipient", flat=True
        )
    )
    assert told == {manager.pk, colleague.pk}


def test_the_inviting_side_cannot_accept_its_own_invitation(invitation, manager, login):
    with pytest.raises(PermissionDenied):
        invitations.partnership_invitation_accept(actor=manager, partnership=invitation)
    assert (
        login(manager)
        .post(reverse("partners:invitation-accept", args=[invitation.code]))
        .status_code
        == 403
    )
    invitation.refresh_from_db()
    assert invitation.status == Partnership.Status.INVITED


def test_an_outsider_cannot_even_find_the_invitation(invitation, outsiders, login):
    outsider = outsiders[Role.PROGRAM_MANAGER]
    url = reverse("partners:invitation-accept", args=[invitation.code])
    assert login(outsider).post(url).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == Partnership.Status.INVITED


def test_of_two_answers_at_once_only_the_first_counts(
    invitation, stranger_manager, administrator
):
    stale = Partnership.objects.get(pk=invitation.pk)
    invitations.partnership_invitation_accept(
        actor=stranger_manager, partnership=invitation
    )
    with pytest.raises(invitations.InvitationAnswered):
        invitations.partnership_invitation_decline(
            actor=administrator, partnership=stale
        )
    invitation.refresh_from_db()
    assert invitation.status == Partnership.Status.PLANNING


def test_a_declined_invitation_may_be_sent_again(
    invitation, manager, stranger_cbo, stranger_manager
):
    invitations.partnership_invitation_decline(
        actor=stranger_manager, partnership=invitation
    )
    invitation.refresh_from_db()
    assert invitation.status == Partnership.Status.DECLINED
    again = invitations.partnership_invite(
        actor=manager,
        data={
            "name": "Proposed again",
            "health_system": manager.organization,
            "cbo": stranger_cbo,
        },
    )
    assert again.is_invitation


def test_the_inviting_side_may_withdraw(invitation, manager, stranger_manager):
    invitations.partnership_invitation_decline(actor=manager, partnership=invitation)
    invitation.refresh_from_db()
    assert invitation.status == Partnership.Status.DECLINED
    told = Notification.objects.get(recipient=stranger_manager, kind__in=DECISIONS)
    assert told.kind == Kind.PARTNERSHIP_WITHDRAWN
    assert "withdrew" in notification_text(told)
    assert manager.organization.name in notification_text(told)


def test_the_invited_side_declining_is_told_as_declined(
    invitation, manager, stranger_manager
):
    invitations.partnership_invitation_decline(
        actor=stranger_manager, partnership=invitation
    )
    told = Notification.objects.get(recipient=manager, kind__in=DECISIONS)
    assert told.kind == Kind.PARTNERSHIP_DECLINED
    assert "declined" in notification_text(told)


def test_until_accepted_neither_side_sees_the_others_people_or_directory(
    invitation, manager, stranger_manager, stranger_navigator, partnership, login
):
    assert stranger_navigator not in dashboard_choices(manager)["navigators"]
    assert stranger_manager.organization_id not in resource_directory_owners_for_user(
        manager
    )
    client = login(manager)
    for name in ("plan", "training", "partnership-edit", "navigator-time"):
        url = reverse(f"partners:{name}", args=[invitation.code])
        assert client.get(url).status_code == 404, name
    detail = client.get(reverse("partners:partnership-detail", args=[invitation.code]))
    assert detail.status_code == 200
    assert stranger_manager.get_full_name() not in detail.content.decode()
    assert invitation not in selectors.partnership_list_for_user(manager)

    invitations.partnership_invitation_accept(
        actor=stranger_manager, partnership=invitation
    )
    assert stranger_navigator in dashboard_choices(manager)["navigators"]
    assert stranger_manager.organization_id in resource_directory_owners_for_user(
        manager
    )


def test_an_invitation_imposes_no_two_factor_rule_on_the_other_side(
    manager, stranger_cbo, stranger_manager
):
    invitations.partnership_invite(
        actor=manager,
        data={
            "name": "Proposed",
            "health_system": manager.organization,
            "cbo": stranger_cbo,
            "mfa_required_roles": [Role.PROGRAM_MANAGER],
        },
    )
    assert not mfa_setup_required_query(stranger_manager)


def test_a_cbo_managers_create_form_names_none_of_the_health_systems_people(
    login, partnership, manager, clinic
):
    cbo_manager = UserFactory(role=Role.PROGRAM_MANAGER, organization=partnership.cbo)
    form = login(cbo_manager).get(reverse("partners:partnership-new")).context["form"]
    assert list(form.fields["cbo"].queryset) == [partnership.cbo]
    assert {"clinics", "health_system_contact", "status"}.isdisjoint(form.fields)
    assert set(form.fields["health_system"].queryset) == set(
        Organization.objects.filter(kind=Organization.Kind.HEALTH_SYSTEM)
    )


def test_the_invitation_list_uses_a_constant_number_of_queries(
    login, manager, django_assert_max_num_queries
):
    for number in range(4):
        invitations.partnership_invite(
            actor=manager,
            data={
                "name": f"Proposed {number}",
                "health_system": manager.organization,
                "cbo": OrganizationFactory(kind=Organization.Kind.CBO),
            },
        )
        cbo = OrganizationFactory(kind=Organization.Kind.CBO)
        invitations.partnership_invite(
            actor=UserFactory(role=Role.PROGRAM_MANAGER, organization=cbo),
            data={
                "name": f"Received {number}",
                "health_system": manager.organization,
                "cbo": cbo,
            },
        )
    client = login(manager)
    # A session's first page also checks the two-factor policy once.
    client.get(reverse("partners:partnership-list"))
    # session, user, the navigation bar's organization, the open invitations
    # (both organizations and the inviting one joined), then the session's
    # idle-timeout save (savepoint, update, release)
    with django_assert_max_num_queries(7):
        page = client.get(reverse("partners:invitation-list"))
    assert (len(page.context["to_answer"]), len(page.context["sent"])) == (4, 4)


def test_an_administrator_answers_for_the_invited_organization(
    invitation, administrator, manager, stranger_cbo
):
    invitations.partnership_invitation_accept(
        actor=administrator, partnership=invitation
    )
    told = Notification.objects.get(kind=Kind.PARTNERSHIP_ACCEPTED, recipient=manager)
    assert told.context["organization"] == stranger_cbo.name
