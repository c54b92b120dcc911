"""What a new user tripped on: marks, summaries, confirmations and wording."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from evaluation.tests.factories import caseload_referral
from partners.tests.factories import PASSWORD, UserFactory
from referrals.services import assignment
from referrals.tests.factories import ReferralFactory


@pytest.fixture
def assigned(partnership, supervisor, navigator):
    return caseload_referral(
        partnership=partnership,
        supervisor=supervisor,
        navigator=navigator,
        social_needs=["food-insecurity"],
        notes_for_navigator="Asks about the food bank on Fridays.",
    )


def test_the_reassign_reason_carries_the_required_mark(login, assigned, supervisor):
    page = login(supervisor).get(
        reverse("referrals:referral-assign", args=[assigned.code])
    )
    content = page.content.decode()
    reason = content[content.index('id="div_id_reason"') :]
    reason = reason[: reason.index("</label>")]
    assert 'class="asteriskField"' in reason


def test_an_empty_reassign_reason_is_refused_beside_the_field(
    login, assigned, supervisor, partnership
):
    other = UserFactory(role="navigator", organization=partnership.cbo)
    response = login(supervisor).post(
        reverse("referrals:referral-assign", args=[assigned.code]),
        {"navigator": other.pk, "reason": "   ", "version": assigned.version},
    )
    assert "Say why the referral moves." in response.content.decode()
    assigned.refresh_from_db()
    assert assigned.navigator_id != other.pk


def test_sharing_says_who_now_sees_the_referral(
    login, assigned, supervisor, partnership
):
    helper = UserFactory(
        role="navigator",
        organization=partnership.cbo,
        first_name="Hugo",
        last_name="Reyes",
    )
    response = login(supervisor).post(
        reverse("referrals:referral-share", args=[assigned.code]),
        {"navigator": helper.pk},
        follow=True,
    )
    assert "Shared with Hugo Reyes" in response.content.decode()


def test_the_decline_page_shows_what_was_referred(login, partnership, supervisor):
    referral = ReferralFactory(
        partnership=partnership,
        social_needs=["housing-instability"],
        notes_for_navigator="Evicted last week.",
    )
    content = (
        login(supervisor)
        .get(reverse("referrals:referral-transition", args=[referral.code, "decline"]))
        .content.decode()
    )
    assert "Housing instability" in content
    assert "Evicted last week." in content


def active_entries(client, path):
    context = client.get(path).context
    return [str(item["label"]) for item in context["nav_items"] if item["active"]]


def test_new_patient_lights_up_new_referral(login, clinic_user):
    client = login(clinic_user)
    assert active_entries(client, reverse("referrals:patient-new")) == ["New referral"]


def test_notifications_light_up_only_the_notifications_link(login, clinic_user):
    client = login(clinic_user)
    path = reverse("referrals:notification-list")
    assert active_entries(client, path) == []
    content = client.get(path).content.decode()
    link = content[: content.index('data-testid="notifications-link"')]
    link = link[link.rindex("<a ") :]
    assert "active" in link and 'aria-current="page"' in link


def moment(*parts):
    return datetime.datetime(*parts, tzinfo=datetime.UTC)


def test_days_since_referral_counts_days_not_minutes(
    login, partnership, supervisor, navigator
):
    with time_machine.travel(moment(2026, 3, 2, 17, 0)):
        today = caseload_referral(
            partnership=partnership, supervisor=supervisor, navigator=navigator
        )
    with time_machine.travel(
        datetime.datetime(2026, 2, 27, 17, 0, tzinfo=datetime.UTC)
    ):
        older = caseload_referral(
            partnership=partnership, supervisor=supervisor, navigator=navigator
        )
    with time_machine.travel(moment(2026, 3, 2, 17, 3)):
        content = login(navigator).get(reverse("referrals:caseload")).content.decode()
    assert "minutes" not in content
    rows = content[content.index("<tbody>") :]
    assert rows.count("<td>Today</td>") == 1
    assert "<td>3 days</td>" in rows
    assert today.code and older.code


def test_shared_referrals_carry_the_badge_on_phone_cards_too(
    login, assigned, supervisor, partnership
):
    helper = UserFactory(role="navigator", organization=partnership.cbo)
    assignment.referral_share(referral=assigned, actor=supervisor, navigator=helper)
    content = login(helper).get(reverse("referrals:caseload")).content.decode()
    cards = content[: content.index("<table")]
    table = content[content.index("<table") :]
    assert "Shared with you" in cards
    assert "Shared with you" in table


def test_signing_out_says_it_ends_every_device(navigator):
    client = Client()
    client.post(
        reverse("account_login"), {"login": navigator.email, "password": PASSWORD}
    )
    response = client.post(reverse("account_logout"), follow=True)
    assert (
        "You are signed out on every device where you were signed in."
        in response.content.decode()
    )
