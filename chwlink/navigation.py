"""The menu: every page a role works from, offered by the same predicate that
lets the role open it."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from evaluation.access import manages_program, reads_reports, reads_stories
from partners.access import is_administrator, reads_partnerships, takes_training
from referrals.access import (
    finds_any_referral,
    navigates,
    reads_directory,
    supervises,
    works_at_clinic,
)

# In menu order; each role sees the entries its predicate allows.
MENU = [
    ("referrals:clinic-referral-list", _("Referrals"), works_at_clinic),
    ("referrals:referral-new", _("New referral"), works_at_clinic),
    ("referrals:inbox", _("Inbox"), supervises),
    ("referrals:pathway-approvals", _("Pathway approvals"), supervises),
    ("referrals:caseload", _("My caseload"), navigates),
    ("evaluation:pam-due", _("PAM follow-ups"), navigates),
    ("evaluation:dashboard", _("Dashboard"), manages_program),
    ("referrals:all-referrals", _("All referrals"), finds_any_referral),
    ("referrals:team-board", _("Team"), finds_any_referral),
    ("admin:index", _("Administration"), is_administrator),
    ("evaluation:story-list", _("Stories"), reads_stories),
    ("evaluation:report-list", _("Reports"), reads_reports),
    ("evaluation:utilization-list", _("Utilization data"), manages_program),
    ("referrals:resource-list", _("Resources"), reads_directory),
    ("partners:partnership-list", _("Partnerships"), reads_partnerships),
    ("partners:training-mine", _("My trainings"), takes_training),
]


def navigation(request):
    """The role's menu; the entry whose address best matches the page is active."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = [
        {"url": reverse(url_name), "label": label}
        for url_name, label, offered in MENU
        if offered(user)
    ]
    matching = [item["url"] for item in items if request.path.startswith(item["url"])]
    active = max(matching, key=len, default=None)
    for item in items:
        item["active"] = item["url"] == active
    return {"nav_items": items}
