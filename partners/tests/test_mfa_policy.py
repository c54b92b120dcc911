"""A partnership can require two-factor authentication for some roles: those people
reach nothing but the setup pages until an authenticator app is set up."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.messages import get_messages
from django.urls import reverse

from partners.models import Partnership


@pytest.fixture
def mfa_for_supervisors(partnership):
    partnership.mfa_required_roles = ["supervisor"]
    partnership.save()
    return partnership


def test_supervisor_without_mfa_is_sent_to_set_it_up_with_a_reason(
    login, supervisor, mfa_for_supervisors
):
    response = login(supervisor).get(reverse("referrals:inbox"))

    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    [message] = get_messages(response.wsgi_request)
    assert "requires two-factor authentication for your role" in str(message)


@pytest.mark.parametrize(
    "url_name", ["evaluation:dashboard", "home", "partners:partnership-list"]
)
def test_every_page_is_closed_until_mfa_is_set_up(
    login, supervisor, mfa_for_supervisors, url_name
):
    response = login(supervisor).get(reverse(url_name))

    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_setup_sign_out_and_language_stay_open(login, supervisor, mfa_for_supervisors):
    client = login(supervisor)

    setup = client.get(reverse("mfa_activate_totp"))
    assert setup.status_code != 302 or "/accounts/" in setup.url
    language = client.post(reverse("partners:language"), {"language": "es"})
    assert language.url != reverse("mfa_activate_totp")
    sign_out = client.post(reverse("account_logout"))
    assert sign_out.status_code == 302
    assert sign_out.url != reverse("mfa_activate_totp")


def test_supervisor_with_an_authenticator_app_gets_in(
    login, supervisor, mfa_for_supervisors
):
    TOTP.activate(supervisor, generate_totp_secret())

    assert login(supervisor).get(reverse("referrals:inbox")).status_code == 200


def test_roles_the_partnership_does_not_mark_are_not_asked(
    login, navigator, mfa_for_supervisors
):
    assert login(navigator).get(reverse("referrals:caseload")).status_code == 200


def test_a_requirement_of_another_partnership_does_not_apply(
    login, supervisor, other_partnership
):
    other_partnership.mfa_required_roles = ["supervisor"]
    other_partnership.save()

    assert login(supervisor).get(reverse("referrals:inbox")).status_code == 200


def test_program_manager_chooses_the_roles_on_the_partnership_form(
    login, manager, partnership
):
    client = login(manager)
    url = reverse("partners:partnership-edit", args=[partnership.code])
    form = client.get(url).context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name != "clinics"
    }
    data["started_on"] = ""
    data["mfa_required_roles"] = ["navigator", "supervisor"]

    response = client.post(url, data)

    assert response.status_code == 302
    partnership = Partnership.objects.get(pk=partnership.pk)
    assert sorted(partnership.mfa_required_roles) == ["navigator", "supervisor"]


def test_a_recovery_code_works_only_once(supervisor):
    codes = RecoveryCodes.activate(supervisor)
    code = codes.get_unused_codes()[0]

    assert codes.validate_code(code)
    reloaded = RecoveryCodes(
        Authenticator.objects.get(
            user=supervisor, type=Authenticator.Type.RECOVERY_CODES
        )
    )
    assert not reloaded.validate_code(code)
