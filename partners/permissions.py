"""Who may do what: the one place views ask before acting.

Object scope (which rows a user may see) lives in each app's selectors; this module
holds role rules and the view decorator that applies them.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from partners.models import User

Role = User.Role

HOME_BY_ROLE = {
    Role.CLINIC_STAFF: "referrals:clinic-referral-list",
    Role.SUPERVISOR: "referrals:inbox",
    Role.NAVIGATOR: "referrals:caseload",
    Role.PROGRAM_MANAGER: "evaluation:dashboard",
    Role.ADMINISTRATOR: "admin:index",
}

CLINIC_ROLES = frozenset({Role.CLINIC_STAFF})
CBO_ROLES = frozenset({Role.SUPERVISOR, Role.NAVIGATOR})


def has_role(user, *roles) -> bool:
    return user.is_authenticated and user.is_active and user.role in roles


def home_url(user) -> str:
    return reverse(HOME_BY_ROLE[user.role])


def role_required(*roles):
    """Refuse the view (403) to signed-in users whose role is not listed."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


PARTNERSHIP_EDITORS = frozenset({Role.PROGRAM_MANAGER, Role.ADMINISTRATOR})
PARTNERSHIP_READERS = frozenset(
    {Role.PROGRAM_MANAGER, Role.ADMINISTRATOR, Role.SUPERVISOR, Role.CLINIC_STAFF}
)
# Clinic staff see service levels, never what the health system pays.
PAYMENT_READERS = frozenset({Role.PROGRAM_MANAGER, Role.ADMINISTRATOR, Role.SUPERVISOR})


def is_partner_member(user, partnership) -> bool:
    return user.organization_id in (partnership.health_system_id, partnership.cbo_id)


def may_edit_partnership(user, partnership) -> bool:
    """Program managers of either partner, and administrators, edit a partnership."""
    if has_role(user, Role.ADMINISTRATOR):
        return True
    return has_role(user, Role.PROGRAM_MANAGER) and is_partner_member(user, partnership)


def may_see_payments(user) -> bool:
    return has_role(user, *PAYMENT_READERS)


def require_recent_authentication(request) -> None:
    """Ask for the password (or MFA) again unless given in the last few minutes;
    for patient-level downloads. allauth's middleware turns the exception into the
    re-authentication page, which returns here afterwards."""
    from allauth.account.internal.flows.reauthentication import (
        is_reauthentication_required,
    )
    from allauth.core.exceptions import ReauthenticationRequired

    if is_reauthentication_required(request, app=""):
        raise ReauthenticationRequired
