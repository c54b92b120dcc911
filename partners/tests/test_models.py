import pytest
from django.db import IntegrityError

from partners.models import Partnership, User
from partners.tests.factories import (
    OrganizationFactory,
    PartnershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_partnership_cannot_link_an_organization_with_itself():
    organization = OrganizationFactory()
    with pytest.raises(IntegrityError):
        Partnership.objects.create(
            name="Self", health_system=organization, cbo=organization
        )


def test_same_pair_cannot_partner_twice():
    partnership = PartnershipFactory()
    with pytest.raises(IntegrityError):
        PartnershipFactory(health_system=partnership.health_system, cbo=partnership.cbo)


def test_non_administrator_must_belong_to_an_organization():
    with pytest.raises(IntegrityError):
        UserFactory(role=User.Role.NAVIGATOR, organization=None)


def test_only_active_administrators_reach_the_django_admin():
    administrator = UserFactory(role=User.Role.ADMINISTRATOR)
    navigator = UserFactory(role=User.Role.NAVIGATOR)
    assert administrator.is_staff
    assert not navigator.is_staff
    administrator.is_active = False
    assert not administrator.is_staff


def test_emails_are_stored_lowercase_so_sign_in_ignores_case():
    user = User.objects.create_user(
        "Nadia.Garcia@Example.ORG", "x" * 20, role="administrator"
    )
    assert user.email == "nadia.garcia@example.org"
