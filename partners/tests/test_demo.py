import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from partners.models import User
from referrals.models import Pathway, Referral

pytestmark = pytest.mark.django_db


def test_demo_loads_once_and_gives_every_role_something_to_see(login):
    call_command("seed_demo")
    call_command("seed_demo")
    # Eleven accounts of every role, and four more navigators for the history.
    assert User.objects.filter(email__endswith="@example.org").count() == 15
    statuses = set(Referral.objects.values_list("status", flat=True))
    assert {"submitted", "accepted", "assigned", "in_progress", "on_hold"} <= statuses
    assert "completed" in statuses
    assert Pathway.objects.filter(status=Pathway.Status.APPROVED).exists()
    homes = {
        "clinic@example.org": "/referrals/",
        "supervisor@example.org": "/referrals/inbox/",
        "navigator@example.org": "/referrals/caseload/",
        "manager@example.org": "/evaluation/",
        "cbo.manager@example.org": "/evaluation/",
    }
    for email, home in homes.items():
        response = login(User.objects.get(email=email)).get(home)
        assert response.status_code == 200
        if "page_obj" in response.context:
            assert len(response.context["page_obj"].object_list) > 0, email
        else:
            assert response.context["summary"]["open"] > 0


def test_the_two_partnerships_stay_apart(login):
    call_command("seed_demo")
    supervisor = User.objects.get(email="supervisor2@example.org")
    content = login(supervisor).get("/referrals/inbox/").content.decode()
    assert "Janet Cole" in content
    assert "María Hernández" not in content


def test_a_demo_manager_invites_the_other_partnerships_cbo_and_its_manager_answers(
    login,
):
    """Both sides of an invitation can be tried with the demo accounts."""
    call_command("seed_demo")
    inviter = login(User.objects.get(email="manager@example.org"))
    form = inviter.get("/partnerships/new/").context["form"]
    bridges = form.fields["cbo"].queryset.get(name="Community Bridges")
    response = inviter.post(
        "/partnerships/new/",
        {
            "name": "Cascade Health + Community Bridges",
            "health_system": form.fields["health_system"].queryset.get().pk,
            "cbo": bridges.pk,
            "time_zone": "America/Los_Angeles",
            "business_days": [0, 1, 2, 3, 4],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    answering = login(User.objects.get(email="manager2@example.org"))
    invitations = answering.get("/partnerships/invitations/").content.decode()
    assert "Cascade Health + Community Bridges" in invitations


def test_every_demo_account_is_in_the_readme():
    call_command("seed_demo")
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    table = readme[readme.index("### Demo sign-ins") :]
    table = table[: table.index("\n\n", table.index("| e-mail"))]
    missing = [
        email
        for email in User.objects.values_list("email", flat=True)
        if f"`{email}`" not in table
    ]
    assert missing == []


def test_the_printed_sign_in_link_follows_the_site_address(settings):
    settings.SITE_URL = "http://127.0.0.1:8123"
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "Sign in at http://127.0.0.1:8123/ with password" in out.getvalue()
