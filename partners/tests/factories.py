import datetime

import factory
from factory.django import DjangoModelFactory

from partners import services
from partners.models import Contract, Organization, Partnership, Site, User

PASSWORD = "a-long-test-password-42"  # noqa: S105


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    kind = Organization.Kind.HEALTH_SYSTEM


class SiteFactory(DjangoModelFactory):
    class Meta:
        model = Site

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Clinic {n}")


class PartnershipFactory(DjangoModelFactory):
    class Meta:
        model = Partnership

    name = factory.Sequence(lambda n: f"Partnership {n}")
    health_system = factory.SubFactory(OrganizationFactory)
    cbo = factory.SubFactory(OrganizationFactory, kind=Organization.Kind.CBO)
    status = Partnership.Status.ACTIVE


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = User.Role.CLINIC_STAFF
    organization = factory.SubFactory(OrganizationFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def signed_service_contract(
    partnership, manager, effective_on=datetime.date(2026, 1, 1), **levels
) -> Contract:
    """A signed service contract in force, through the service, stating ``levels``
    (``accept_business_days=2``, ``max_active_referrals=60``, …)."""
    return services.contract_save(
        actor=manager,
        partnership=partnership,
        data={
            "kind": Contract.Kind.SERVICE,
            "title": f"Services from {effective_on}",
            "status": Contract.Status.SIGNED,
            "effective_on": effective_on,
            **levels,
        },
    )
