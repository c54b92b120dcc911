"""What the page says after an action on a referral: a sentence, not a label."""

from django.urls import reverse

from referrals.services.workflow import MANUAL_TRANSITIONS, TRANSITIONS
from referrals.tests.factories import ReferralFactory


def test_accepting_says_referral_accepted(login, partnership, clinic, supervisor):
    referral = ReferralFactory(partnership=partnership, clinic=clinic)
    response = login(supervisor).post(
        reverse("referrals:referral-transition", args=[referral.code, "accept"]),
        {"version": referral.version},
        follow=True,
    )
    content = response.content.decode()
    assert "Referral accepted." in content
    assert "Done:" not in content


def test_declining_in_spanish_says_it_in_spanish(
    login, partnership, clinic, supervisor
):
    referral = ReferralFactory(partnership=partnership, clinic=clinic)
    client = login(supervisor)
    client.post(reverse("partners:language"), {"language": "es", "next": "/"})
    response = client.post(
        reverse("referrals:referral-transition", args=[referral.code, "decline"]),
        {"reason_code": "no_capacity", "version": referral.version},
        follow=True,
    )
    assert "Referido rechazado." in response.content.decode()


def test_every_action_from_the_page_has_a_sentence():
    for name in MANUAL_TRANSITIONS:
        done = str(TRANSITIONS[name].done)
        assert done.endswith(".") and ":" not in done, name
