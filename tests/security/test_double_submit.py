"""Every page with a form that creates a record carries a one-time token, and a
second copy of the sent form creates nothing and lands where the first one did.
The concurrent proof is ``test_double_submit_race.py``; the mechanism is
``chwlink/lib/submissions.py``."""

import re

import pytest
from django.urls import reverse

from evaluation.models import Theme
from partners.models import PlanTask
from referrals.models import ReferralEvent

# (URL name, who fills the form in): every creating form of the application.
CREATING_PAGES = [
    ("referrals:patient-new", "clinic"),
    ("referrals:referral-create", "clinic"),
    ("referrals:referral-detail", "supervisor"),  # the message box
    ("referrals:encounter-new", "navigator"),
    ("referrals:pathway-new", "navigator"),
    ("referrals:pathway-detail", "navigator"),  # a new step
    ("referrals:resource-create", "supervisor"),
    ("evaluation:pam-new", "navigator"),
    ("evaluation:pam-scoring", "manager"),
    ("evaluation:story-new", "navigator"),
    ("evaluation:story-code", "manager"),
    ("evaluation:theme-list", "manager"),
    ("evaluation:utilization-new", "manager"),
    ("evaluation:utilization-import", "manager"),
    ("evaluation:dashboard", "manager"),  # "Prepare a report"
    ("partners:partnership-new", "manager"),
    ("partners:contract-new", "manager"),
    ("partners:plan-task-new", "manager"),
    ("partners:training-session-new", "manager"),
]
pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'<input type="hidden" name="form_token" value="([0-9a-f-]{36})"')


def page_token(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    tokens = TOKEN.findall(response.content.decode())
    assert tokens, f"{url} has no one-time token"
    return tokens[0]


@pytest.mark.parametrize("name, role", CREATING_PAGES)
def test_every_creating_form_carries_a_fresh_one_time_token(
    world, signed_in, name, role
):
    client = signed_in(world.users[role])
    url = reverse(name, kwargs=world.kwargs.get(name, {}))
    assert page_token(client, url) != page_token(client, url)


def send_twice(client, url, data):
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    return second


def test_a_resent_message_is_posted_once(world, signed_in):
    client = signed_in(world.users["supervisor"])
    referral = world.records["working"]
    token = page_token(
        client, reverse("referrals:referral-detail", args=[referral.code])
    )
    before = referral.events.filter(kind=ReferralEvent.Kind.MESSAGE).count()
    second = send_twice(
        client,
        reverse("referrals:referral-message", args=[referral.code]),
        {"text": "Her appointment is on Tuesday.", "form_token": token},
    )
    assert referral.events.filter(kind=ReferralEvent.Kind.MESSAGE).count() == before + 1
    assert "already been sent" in client.get(second["Location"]).content.decode()


def test_a_resent_theme_is_added_once(world, signed_in):
    client = signed_in(world.users["manager"])
    url = reverse("evaluation:theme-list")
    data = {
        "name": "Transportation",
        "is_active": "on",
        "form_token": page_token(client, url),
    }
    send_twice(client, url, data)
    assert Theme.objects.filter(name="Transportation").count() == 1


def test_a_resent_plan_task_is_added_once(world, signed_in):
    client = signed_in(world.users["manager"])
    url = reverse(
        "partners:plan-task-new", kwargs=world.kwargs["partners:plan-task-new"]
    )
    data = {
        "step": "1",
        "title": "Meet the clinic leads",
        "status": "todo",
        "form_token": page_token(client, url),
    }
    send_twice(client, url, data)
    assert PlanTask.objects.filter(title="Meet the clinic leads").count() == 1
