"""No view slips in unreviewed: every URL of the project has a row in the matrix."""

from django.urls import reverse

from tests.security.conftest import SKIPPED_NAMESPACES, project_url_names
from tests.security.matrix import MATRIX


def test_every_url_of_the_project_has_a_row_in_the_access_matrix():
    missing = sorted(set(project_url_names()) - set(MATRIX))
    assert not missing, (
        "These URLs have no row in tests/security/matrix.py; review who may reach "
        f"them and add one: {missing}"
    )


def test_the_access_matrix_lists_no_url_that_no_longer_exists():
    stale = sorted(set(MATRIX) - set(project_url_names()))
    assert not stale, f"Remove these rows from tests/security/matrix.py: {stale}"


def test_the_inventory_reaches_into_every_app_but_skips_admin_and_allauth():
    names = project_url_names()
    assert {name.split(":")[0] for name in names if ":" in name} == {
        "partners",
        "referrals",
        "evaluation",
    }
    assert "home" in names
    assert not any(name.startswith(("admin:", "account_", "mfa_")) for name in names)
    # The skipped parts really are mounted, so skipping them is a decision, not luck.
    assert reverse("admin:index")
    assert reverse("account_login")
    assert reverse("fhir:metadata")
    assert reverse("hsds:root")
    assert reverse("texting-webhook:twilio-inbound")
    assert {"admin", "fhir", "hsds", "texting-webhook"} == SKIPPED_NAMESPACES
