"""The menu: every page a role works from, offered by the same predicate that
lets the role open it, grouped by area so that the bar stays on one line."""

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

# The areas, in menu order.
WORK = "work"
EVALUATION = "evaluation"
COMMUNITY = "community"
AREAS = {
    WORK: _("Referrals"),
    EVALUATION: _("Evaluation"),
    COMMUNITY: _("Community"),
}

# In menu order; each role sees the entries its predicate allows.
MENU = [
    ("referrals:clinic-referral-list", _("Referrals"), works_at_clinic, WORK),
    ("referrals:referral-new", _("New referral"), works_at_clinic, WORK),
    ("referrals:inbox", _("Inbox"), supervises, WORK),
    ("referrals:pathway-approvals", _("Pathway approvals"), supervises, WORK),
    # Supervisors are the ones told of a text no single patient's number matches.
    ("referrals:texts-to-match", _("Texts to match"), supervises, WORK),
    ("referrals:caseload", _("My caseload"), navigates, WORK),
    ("evaluation:pam-due", _("PAM follow-ups"), navigates, WORK),
    ("referrals:all-referrals", _("All referrals"), finds_any_referral, WORK),
    ("referrals:team-board", _("Team"), finds_any_referral, WORK),
    ("evaluation:dashboard", _("Dashboard"), manages_program, EVALUATION),
    ("admin:index", _("Administration"), is_administrator, COMMUNITY),
    ("evaluation:story-list", _("Stories"), reads_stories, EVALUATION),
    ("evaluation:report-list", _("Reports"), reads_reports, EVALUATION),
    ("evaluation:utilization-list", _("Utilization data"), manages_program, EVALUATION),
    ("referrals:resource-list", _("Resources"), reads_directory, COMMUNITY),
    ("partners:partnership-list", _("Partnerships"), reads_partnerships, COMMUNITY),
    ("partners:training-mine", _("My trainings"), takes_training, COMMUNITY),
]

# Pages that belong to an entry whose address is not a prefix of theirs: a new
# patient is the first step of a new referral.
ALSO_ACTIVE_ON = {
    "referrals:referral-new": ("referrals:patient-new",),
}

# Addresses outside the menu that must not light up an entry whose address is a
# prefix of theirs (the clinic's "Referrals" is /referrals/): the bar's own links.
OWN_LINKS = ("referrals:notification-list",)

# An area with more entries than this becomes one dropdown.
MOST_LINKS_PER_AREA = 3


def navigation(request):
    """The role's menu; the entry whose address best matches the page is active."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = [
        {"url": reverse(url_name), "label": label, "area": area, "name": url_name}
        for url_name, label, offered, area in MENU
        if offered(user)
    ]
    candidates = [(item["url"], item) for item in items]
    candidates += [
        (reverse(other), item)
        for item in items
        for other in ALSO_ACTIVE_ON.get(item["name"], ())
    ]
    candidates += [(reverse(name), None) for name in OWN_LINKS]
    matching = [pair for pair in candidates if request.path.startswith(pair[0])]
    active = max(matching, key=lambda pair: len(pair[0]), default=(None, None))[1]
    for item in items:
        item["active"] = item is active
    return {
        "nav_items": items,
        "nav_groups": _groups(items),
        "notifications_active": request.path.startswith(
            reverse("referrals:notification-list")
        ),
    }


def _groups(items):
    groups = []
    for area, label in AREAS.items():
        entries = [item for item in items if item["area"] == area]
        if not entries:
            continue
        groups.append(
            {
                "area": area,
                "label": label,
                "items": entries,
                "dropdown": len(entries) > MOST_LINKS_PER_AREA,
                "active": any(item["active"] for item in entries),
            }
        )
    return groups
