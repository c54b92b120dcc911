"""The two-factor policy for every role at either partner, which authenticators count,
and when a new requirement reaches people already signed in."""

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.http import HttpRequest
from django.urls import reverse

from partners.mfa import mfa_policy_check_on_login
from partners.models import User
from partners.tests.factories import UserFactory

Role = User.Role
SETUP = reverse("mfa_activate_totp")


def require(partnership, *roles):
    partnership.mfa_required_roles = list(roles)
    partnership.save()


def is_sent_to_setup(client, url_name="home"):
    response = client.get(reverse(url_name))
    return response.status_code == 302 and response.url == SETUP


@pytest.mark.parametrize(
    "person", ["clinic_user", "manager", "supervisor", "navigator", "administrator"]
)
def test_each_named_role_at_either_partner_must_set_up_mfa(
    request, login, partnership, person
):
    user = request.getfixturevalue(person)
    require(partnership, user.role)
    assert is_sent_to_setup(login(user))


@pytest.mark.parametrize(
    ("person", "other_role"),
    [("clinic_user", Role.PROGRAM_MANAGER), ("navigator", Role.SUPERVISOR)],
)
def test_a_colleague_in_another_role_is_not_asked(
    request, login, partnership, person, other_role
):
    require(partnership, other_role)
    assert not is_sent_to_setup(login(request.getfixturevalue(person)))


def test_recovery_codes_alone_are_not_an_authenticator_app(
    login, partnership, supervisor
):
    require(partnership, Role.SUPERVISOR)
    RecoveryCodes.activate(supervisor)
    assert is_sent_to_setup(login(supervisor))


def test_a_colleagues_authenticator_app_does_not_count(
    login, partnership, supervisor, navigator
):
    require(partnership, Role.SUPERVISOR)
    TOTP.activate(navigator, generate_totp_secret())
    assert is_sent_to_setup(login(supervisor))


def test_someone_of_no_organization_is_not_asked(login, partnership):
    require(partnership, Role.ADMINISTRATOR)
    staff = UserFactory(role=Role.ADMINISTRATOR, organization=None, is_superuser=True)
    assert not is_sent_to_setup(login(staff))


def test_setting_up_the_app_opens_the_pages_at_once(login, partnership, supervisor):
    require(partnership, Role.SUPERVISOR)
    client = login(supervisor)
    assert is_sent_to_setup(client)
    TOTP.activate(supervisor, generate_totp_secret())
    assert not is_sent_to_setup(client, "referrals:inbox")


def test_a_new_requirement_reaches_a_signed_in_person_after_five_minutes(
    login, partnership, supervisor, time_machine
):
    time_machine.move_to("2026-03-02 17:00:00+00:00", tick=False)
    client = login(supervisor)
    require(partnership, Role.SUPERVISOR)
    # The check passed at sign-in is trusted for five minutes, then made again.
    assert not is_sent_to_setup(client)
    time_machine.move_to("2026-03-02 17:04:59+00:00", tick=False)
    assert not is_sent_to_setup(client)
    time_machine.move_to("2026-03-02 17:05:00+00:00", tick=False)
    assert is_sent_to_setup(client)


def test_a_passed_check_is_trusted_for_five_minutes_from_the_last_check(
    login, partnership, supervisor, time_machine
):
    time_machine.move_to("2026-03-02 17:00:00+00:00", tick=False)
    client = login(supervisor)
    time_machine.move_to("2026-03-02 17:06:00+00:00", tick=False)
    assert not is_sent_to_setup(client)  # checked again, and passed
    require(partnership, Role.SUPERVISOR)
    time_machine.move_to("2026-03-02 17:10:59+00:00", tick=False)
    assert not is_sent_to_setup(client)
    time_machine.move_to("2026-03-02 17:11:00+00:00", tick=False)
    assert is_sent_to_setup(client)


def test_signing_in_again_applies_a_new_requirement_at_once(
    login, partnership, supervisor
):
    client = login(supervisor)
    assert not is_sent_to_setup(client)
    require(partnership, Role.SUPERVISOR)
    client = login(supervisor)
    assert is_sent_to_setup(client)


def test_a_sign_in_without_a_session_is_left_alone(partnership, supervisor):
    require(partnership, Role.SUPERVISOR)
    request = HttpRequest()
    mfa_policy_check_on_login(sender=User, request=request, user=supervisor)
    assert not hasattr(request, "session")
