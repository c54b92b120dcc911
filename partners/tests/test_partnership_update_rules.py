"""Editing a partnership: what is saved, what is kept, who may."""

import pytest
from django.core.exceptions import PermissionDenied

from partners import services
from partners.models import Partnership


def test_editing_saves_every_field_and_replaces_the_clinics(
    manager, partnership, clinic, other_clinic
):
    partnership.clinics.set([clinic])
    services.partnership_update(
        actor=manager,
        partnership=partnership,
        data={
            "name": "Renamed partnership",
            "time_zone": "America/Denver",
            "clinics": [other_clinic],
        },
    )
    stored = Partnership.objects.get(pk=partnership.pk)
    assert stored.name == "Renamed partnership"
    assert stored.time_zone == "America/Denver"
    assert list(stored.clinics.all()) == [other_clinic]


def test_editing_without_clinics_keeps_the_clinics_it_had(manager, partnership, clinic):
    partnership.clinics.set([clinic])
    services.partnership_update(
        actor=manager, partnership=partnership, data={"name": "Renamed"}
    )
    stored = Partnership.objects.get(pk=partnership.pk)
    assert stored.name == "Renamed"
    assert list(stored.clinics.all()) == [clinic]


def test_editing_with_an_empty_clinic_list_removes_every_clinic(
    manager, partnership, clinic
):
    partnership.clinics.set([clinic])
    services.partnership_update(
        actor=manager, partnership=partnership, data={"clinics": []}
    )
    assert not Partnership.objects.get(pk=partnership.pk).clinics.exists()


def test_a_supervisor_may_not_edit_the_partnership_and_nothing_changes(
    supervisor, partnership
):
    with pytest.raises(PermissionDenied):
        services.partnership_update(
            actor=supervisor, partnership=partnership, data={"name": "Taken over"}
        )
    assert Partnership.objects.get(pk=partnership.pk).name == "Home partnership"


def test_a_manager_of_another_partnership_may_not_edit_it(outsiders, partnership):
    from partners.models import User

    with pytest.raises(PermissionDenied):
        services.partnership_update(
            actor=outsiders[User.Role.PROGRAM_MANAGER],
            partnership=partnership,
            data={"name": "Taken over"},
        )
    assert Partnership.objects.get(pk=partnership.pk).name == "Home partnership"
