from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from partners.models import User

Role = User.Role

NAVIGATION = {
    Role.CLINIC_STAFF: [
        ("referrals:clinic-referral-list", _("Referrals")),
    ],
    Role.SUPERVISOR: [
        ("referrals:inbox", _("Inbox")),
    ],
    Role.NAVIGATOR: [
        ("referrals:caseload", _("My caseload")),
    ],
    Role.PROGRAM_MANAGER: [
        ("evaluation:dashboard", _("Dashboard")),
    ],
    Role.ADMINISTRATOR: [
        ("admin:index", _("Administration")),
    ],
}


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    current = request.path
    items = []
    for url_name, label in NAVIGATION.get(user.role, []):
        url = reverse(url_name)
        items.append({"url": url, "label": label, "active": current.startswith(url)})
    return {"nav_items": items}
