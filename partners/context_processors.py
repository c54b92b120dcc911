from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from partners.models import User

Role = User.Role

RESOURCES = ("referrals:resource-list", _("Resources"))
PARTNERSHIPS = ("partners:partnership-list", _("Partnerships"))
TRAININGS = ("partners:training-mine", _("My trainings"))
STORIES = ("evaluation:story-list", _("Stories"))

NAVIGATION = {
    Role.CLINIC_STAFF: [
        ("referrals:clinic-referral-list", _("Referrals")),
        ("referrals:referral-new", _("New referral")),
        RESOURCES,
        PARTNERSHIPS,
        TRAININGS,
    ],
    Role.SUPERVISOR: [
        ("referrals:inbox", _("Inbox")),
        ("referrals:pathway-approvals", _("Pathway approvals")),
        STORIES,
        ("evaluation:report-list", _("Reports")),
        RESOURCES,
        PARTNERSHIPS,
        TRAININGS,
    ],
    Role.NAVIGATOR: [
        ("referrals:caseload", _("My caseload")),
        ("evaluation:pam-due", _("PAM follow-ups")),
        STORIES,
        RESOURCES,
        TRAININGS,
    ],
    Role.PROGRAM_MANAGER: [
        ("evaluation:dashboard", _("Dashboard")),
        STORIES,
        ("evaluation:utilization-list", _("Utilization data")),
        PARTNERSHIPS,
        RESOURCES,
        TRAININGS,
    ],
    Role.ADMINISTRATOR: [
        ("admin:index", _("Administration")),
        PARTNERSHIPS,
    ],
}


def navigation(request):
    """The role's menu; the entry whose address best matches the page is active."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = [
        {"url": reverse(url_name), "label": label}
        for url_name, label in NAVIGATION.get(user.role, [])
    ]
    matching = [item["url"] for item in items if request.path.startswith(item["url"])]
    active = max(matching, key=len, default=None)
    for item in items:
        item["active"] = item["url"] == active
    return {"nav_items": items}
