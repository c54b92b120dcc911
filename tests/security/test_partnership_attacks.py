"""The partnership attacks of issue 13: a program manager re-pointing an existing
partnership at an unrelated organization, and one creating a partnership with an
unrelated CBO so that the clinic's next referral goes there. Both move patients to
an organization nobody asked; both must move nothing."""

import pytest
from django.urls import reverse

from partners import invitations, services
from partners.models import Partnership
from partners.tests.factories import UserFactory
from referrals.models import Notification, Referral
from referrals.selectors import clinics_referring_to_cbo
from tests.security.world import Role

pytestmark = pytest.mark.django_db


def edit_data(partnership, **changes) -> dict:
    """Everything the edit form holds, as the browser would send it."""
    data = {
        "name": partnership.name,
        "status": partnership.status,
        "population_served": partnership.population_served,
        "clinics": [site.pk for site in partnership.clinics.all()],
        "health_system_contact": partnership.health_system_contact_id or "",
        "cbo_contact": partnership.cbo_contact_id or "",
        "time_zone": partnership.time_zone,
        "business_days": [str(day) for day in partnership.business_days],
    }
    return data | changes


def where_the_records_are(partnership) -> tuple:
    stored = Partnership.objects.get(pk=partnership.pk)
    return (
        stored.health_system_id,
        stored.cbo_id,
        sorted(
            Referral.objects.filter(partnership=partnership).values_list(
                "pk", flat=True
            )
        ),
    )


def test_the_health_systems_manager_cannot_re_point_it_at_another_cbo(world, signed_in):
    home = world.partnership
    foreign_cbo = world.outsiders[Role.SUPERVISOR].organization
    before = where_the_records_are(home)
    client = signed_in(world.users["manager"])
    url = reverse("partners:partnership-edit", kwargs={"code": home.code})
    assert foreign_cbo.name not in client.get(url).content.decode()
    client.post(url, edit_data(home, cbo=foreign_cbo.pk))
    assert where_the_records_are(home) == before
    outsider = signed_in(world.outsiders[Role.SUPERVISOR])
    working = world.records["working"]
    detail = reverse("referrals:referral-detail", kwargs={"code": working.code})
    assert outsider.get(detail).status_code == 404


def test_the_cbos_manager_cannot_re_point_it_at_another_health_system(world, signed_in):
    home = world.partnership
    cbo_manager = UserFactory(
        role=Role.PROGRAM_MANAGER,
        organization=home.cbo,
        email="cbo-manager@willamette.test",
    )
    foreign = world.outsiders[Role.CLINIC_STAFF].organization
    before = where_the_records_are(home)
    client = signed_in(cbo_manager)
    url = reverse("partners:partnership-edit", kwargs={"code": home.code})
    assert foreign.name not in client.get(url).content.decode()
    client.post(url, edit_data(home, health_system=foreign.pk))
    assert where_the_records_are(home) == before


def referral_post(world, **changes) -> dict:
    return {
        "clinic": world.users["clinic"].site_id,
        "social_needs": ["food-insecurity"],
        "urgency": "routine",
        "consent_given": "on",
        "consent_source": "verbal",
        "action": "submit",
    } | changes


def test_a_partnership_with_an_unrelated_cbo_takes_none_of_the_clinics_referrals(
    world, signed_in
):
    home = world.partnership
    foreign_supervisor = world.outsiders[Role.SUPERVISOR]
    foreign_cbo = foreign_supervisor.organization
    manager = world.users["manager"]
    response = signed_in(manager).post(
        reverse("partners:partnership-new"),
        {
            "name": "Unasked",
            "health_system": manager.organization_id,
            "cbo": foreign_cbo.pk,
            "status": "active",
            "time_zone": "America/Los_Angeles",
            "business_days": ["0", "1", "2", "3", "4"],
        },
    )
    assert response.status_code == 302
    unasked = Partnership.objects.get(name="Unasked")
    assert unasked.status == Partnership.Status.INVITED
    # The invited CBO sees none of the health system's clinics in its inbox filter.
    assert not clinics_referring_to_cbo(cbo_id=foreign_cbo.pk).filter(
        organization_id=manager.organization_id
    )

    patient = world.records["draft"].patient
    create = reverse("referrals:referral-create", kwargs={"patient_code": patient.code})

    def refer():
        before = set(Referral.objects.values_list("pk", flat=True))
        page = signed_in(world.users["clinic"]).post(create, referral_post(world))
        made = Referral.objects.exclude(pk__in=before)
        return page, made.first()

    # The clinic's next referral still goes to its own partnership.
    page, sent = refer()
    assert page.status_code == 302
    assert sent.partnership == home

    # With its own partnership paused, the clinic's referral goes nowhere.
    services.partnership_update(
        actor=manager, partnership=home, data={"status": Partnership.Status.PAUSED}
    )
    page, sent = refer()
    assert sent is None
    assert list(page.context["form"].errors) == ["clinic"]
    assert not Notification.objects.filter(
        recipient=foreign_supervisor,
        referral__patient__health_system=home.health_system,
    )
    assert not Referral.objects.filter(partnership=unasked)

    # Once the CBO accepts and both are active, the clinic chooses.
    invitations.partnership_invitation_accept(
        actor=world.users["administrator"], partnership=unasked
    )
    for partnership in (home, unasked):
        services.partnership_update(
            actor=manager,
            partnership=partnership,
            data={"status": Partnership.Status.ACTIVE},
        )
    page, sent = refer()
    assert sent is None
    assert list(page.context["form"].errors) == ["partnership"]
