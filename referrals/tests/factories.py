import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from partners.tests.factories import PartnershipFactory, SiteFactory, UserFactory
from referrals.models import Patient, Referral


class PatientFactory(DjangoModelFactory):
    class Meta:
        model = Patient

    health_system = factory.SubFactory("partners.tests.factories.OrganizationFactory")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = factory.Faker(
        "date_between", start_date=datetime.date(1940, 1, 1), end_date="-18y"
    )
    mrn = factory.Sequence(lambda n: f"MRN{n:06d}")
    preferred_language = "es"
    phone = factory.Sequence(lambda n: f"503-555-{n % 10000:04d}")
    created_by = factory.SubFactory(UserFactory)


class ReferralFactory(DjangoModelFactory):
    """A submitted referral; other states are reached through the services."""

    class Meta:
        model = Referral

    partnership = factory.SubFactory(PartnershipFactory)
    clinic = factory.SubFactory(
        SiteFactory, organization=factory.SelfAttribute("..partnership.health_system")
    )
    patient = factory.SubFactory(
        PatientFactory,
        health_system=factory.SelfAttribute("..partnership.health_system"),
    )
    referred_by = factory.SubFactory(
        UserFactory,
        organization=factory.SelfAttribute("..partnership.health_system"),
    )
    status = Referral.Status.SUBMITTED
    social_needs = ["food-insecurity"]
    medical_reasons = ["diabetes"]
    consent_given = True
    consent_recorded_by = factory.SelfAttribute("referred_by")
    consent_recorded_at = factory.LazyFunction(timezone.now)
    submitted_at = factory.LazyFunction(timezone.now)
