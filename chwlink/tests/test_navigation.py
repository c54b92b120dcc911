"""The menu offers each role exactly the pages it may open."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

MENUS = {
    "clinic_user": [
        "Referrals",
        "New referral",
        "Resources",
        "Partnerships",
        "My trainings",
    ],
    "supervisor": [
        "Inbox",
        "Pathway approvals",
        "Texts to match",
        "All referrals",
        "Team",
        "Stories",
        "Reports",
        "Resources",
        "Partnerships",
        "My trainings",
    ],
    "navigator": [
        "My caseload",
        "PAM follow-ups",
        "Stories",
        "Resources",
        "My trainings",
    ],
    "manager": [
        # The Referrals area comes first; the Evaluation area follows.
        "All referrals",
        "Team",
        "Dashboard",
        "Stories",
        "Reports",
        "Utilization data",
        "Resources",
        "Partnerships",
        "My trainings",
    ],
    "administrator": ["Administration", "Partnerships"],
}


@pytest.mark.parametrize("person", MENUS)
def test_each_role_is_offered_its_pages_and_every_one_opens(request, login, person):
    client = login(request.getfixturevalue(person))
    menu = client.get(reverse("partners:training-mine")).context["nav_items"]
    assert [str(item["label"]) for item in menu] == MENUS[person]
    for item in menu:
        assert client.get(item["url"]).status_code == 200, item["label"]


def test_the_entry_of_the_page_shown_is_marked_active(login, supervisor):
    menu = login(supervisor).get(reverse("referrals:inbox")).context["nav_items"]
    assert [str(item["label"]) for item in menu if item["active"]] == ["Inbox"]


def test_all_referrals_is_marked_active_on_its_page(login, supervisor):
    menu = login(supervisor).get(reverse("referrals:all-referrals")).context
    active = [str(item["label"]) for item in menu["nav_items"] if item["active"]]
    assert active == ["All referrals"]


def test_templates_ask_the_access_rules_never_the_role_itself():
    role_test = re.compile(r"user\.role|\.role\s*(==|!=|in\b)")
    templates = Path(settings.BASE_DIR, "templates").rglob("*.html")
    comparing = [str(path) for path in templates if role_test.search(path.read_text())]
    assert comparing == []
