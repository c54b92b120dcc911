"""Whoever edits the partnership (program managers of either partner) sets when
texts go out and which automatic texts it sends; nobody else can, and a bad value
is said beside its field."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from partners.models import User
from partners.tests.factories import UserFactory
from referrals.models import PartnershipTexting
from referrals.tests.texting import texting_on
from referrals.texting.partnership_settings import texting_settings_update

Role = User.Role


@pytest.fixture
def cbo_manager(partnership):
    return UserFactory(
        email="cbo.manager@home.test",
        role=Role.PROGRAM_MANAGER,
        organization=partnership.cbo,
    )


def url(partnership):
    return f"/referrals/texting/settings/{partnership.code}/"


FORM = {
    "enabled": "on",
    "send_from": "08:30",
    "send_until": "18:00",
    "on_assigned": "on",
    "visit_reminder_hours": "24",
    "hold_check_in_days": "10",
}


def test_the_cbos_manager_turns_on_texts_and_sets_the_hours(
    login, partnership, cbo_manager
):
    texting_on(partnership)
    browser = login(cbo_manager)
    detail = browser.get(f"/partnerships/{partnership.code}/").content.decode()
    assert url(partnership) in detail
    response = browser.post(url(partnership), FORM)
    assert response.status_code == 302
    saved = PartnershipTexting.objects.get(partnership=partnership)
    assert (saved.send_from, saved.send_until) == (
        datetime.time(8, 30),
        datetime.time(18, 0),
    )
    assert saved.on_assigned and not saved.on_visit and not saved.on_hold
    assert saved.hold_check_in_days == 10


@pytest.mark.parametrize(
    "changes, field, message",
    [
        (
            {"send_from": "19:00", "send_until": "09:00"},
            "send_until",
            "Texts must stop later in the day than they start.",
        ),
        ({"visit_reminder_hours": "0"}, "visit_reminder_hours", "Choose from 1 to 168"),
        ({"hold_check_in_days": "400"}, "hold_check_in_days", "Choose from 1 to 90"),
    ],
)
def test_a_bad_value_is_said_beside_its_field_and_nothing_changes(
    login, partnership, cbo_manager, changes, field, message
):
    texting_on(partnership)
    response = login(cbo_manager).post(url(partnership), FORM | changes)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    for value in changes.values():
        assert f'value="{value}"' in response.content.decode()
    saved = PartnershipTexting.objects.get(partnership=partnership)
    assert not saved.on_assigned and saved.send_from == datetime.time(0, 0)


def test_without_a_sending_number_the_page_says_who_sets_it_up(
    login, partnership, cbo_manager
):
    page = login(cbo_manager).get(url(partnership)).content.decode()
    assert "an administrator registers the number" in page
    assert "Save the texting settings" not in page


def test_the_health_systems_manager_sets_it_too(login, partnership, manager):
    texting_on(partnership)
    assert login(manager).post(url(partnership), FORM).status_code == 302
    assert PartnershipTexting.objects.get().on_assigned


@pytest.mark.parametrize("person", ["clinic_user", "supervisor", "navigator"])
def test_only_the_partnerships_managers_set_texting(
    request, login, partnership, person
):
    texting_on(partnership)
    user = request.getfixturevalue(person)
    assert login(user).post(url(partnership), FORM).status_code == 403
    with pytest.raises(PermissionDenied):
        texting_settings_update(
            actor=user,
            texting=PartnershipTexting.objects.get(),
            data=dict.fromkeys(FORM, True),
        )
    assert not PartnershipTexting.objects.get().on_assigned


def test_another_partnerships_manager_gets_a_404(login, partnership, other_partnership):
    texting_on(partnership)
    stranger = UserFactory(
        email="stranger@elsewhere.test",
        role=Role.PROGRAM_MANAGER,
        organization=other_partnership.cbo,
    )
    assert login(stranger).get(url(partnership)).status_code == 404
