"""A partnership's clinics are its health system's and each side's contact is one
of that side's people, however the partnership is saved: page, service or admin."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from partners import services
from partners.models import Partnership
from partners.tests.factories import SiteFactory, UserFactory


def test_the_service_refuses_another_health_systems_clinic_and_keeps_the_old_ones(
    manager, partnership, clinic, other_partnership
):
    partnership.clinics.set([clinic])
    name = partnership.name
    foreign = SiteFactory(organization=other_partnership.health_system)
    with pytest.raises(ValidationError) as refusal:
        services.partnership_update(
            actor=manager,
            partnership=partnership,
            data={"name": "Renamed", "clinics": [clinic, foreign]},
        )
    assert refusal.value.message_dict == {
        "clinics": ["Choose clinics of the health system."]
    }
    stored = Partnership.objects.get(pk=partnership.pk)
    assert (stored.name, list(stored.clinics.all())) == (name, [clinic])


def test_the_service_refuses_a_contact_of_the_other_side(manager, partnership):
    cbo_person = UserFactory(role="supervisor", organization=partnership.cbo)
    with pytest.raises(ValidationError) as refusal:
        services.partnership_create(
            actor=manager,
            data={
                "name": "Second",
                "health_system": partnership.health_system,
                "cbo": partnership.cbo,
                "health_system_contact": cbo_person,
            },
        )
    assert refusal.value.message_dict == {
        "health_system_contact": [f"Choose someone of {partnership.health_system}."]
    }
    assert not Partnership.objects.filter(name="Second").exists()


def test_the_admin_refuses_another_health_systems_clinic(
    client, administrator, partnership, other_partnership
):
    foreign = SiteFactory(organization=other_partnership.health_system)
    client.force_login(administrator)
    url = reverse("admin:partners_partnership_change", args=[partnership.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list)
    }
    data.update(
        {
            "name": partnership.name,
            "health_system": partnership.health_system_id,
            "cbo": partnership.cbo_id,
            "status": partnership.status,
            "time_zone": partnership.time_zone,
            "business_days": ",".join(str(d) for d in partnership.business_days or []),
            "clinics": [foreign.pk],
        }
    )
    page = client.post(url, data)
    assert page.status_code == 200
    assert "Choose clinics of the health system." in page.content.decode()
    assert not partnership.clinics.filter(pk=foreign.pk).exists()


def test_the_cbos_contact_must_be_one_of_the_cbos_people(manager, partnership):
    clinic_person = UserFactory(organization=partnership.health_system)
    with pytest.raises(ValidationError) as refusal:
        services.partnership_update(
            actor=manager, partnership=partnership, data={"cbo_contact": clinic_person}
        )
    assert refusal.value.message_dict == {
        "cbo_contact": [f"Choose someone of {partnership.cbo}."]
    }
    assert Partnership.objects.get(pk=partnership.pk).cbo_contact is None
