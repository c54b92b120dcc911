"""Who may do what with partnerships, people, statements and the audit trail.

Each app keeps its role rules in its own ``access`` module (this one, and
``referrals.access``, ``evaluation.access``) as named predicates. Views gate with
``@allowed(predicate)``, services refuse with ``PermissionDenied`` when one says no,
and the navigation and the page capabilities read the same predicates, so a page
a role can open is a page its menu offers. Object scope (which rows a user may
see) lives in each app's selectors.
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


def has_role(user, *roles) -> bool:
    return user.is_authenticated and user.is_active and user.role in roles


def home_url(user) -> str:
    return reverse(HOME_BY_ROLE[user.role])


def allowed(predicate):
    """Refuse the view (403) to signed-in users the predicate says no to."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not predicate(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def has_any_role(user) -> bool:
    """Every signed-in member of a partner organization (own trainings, say)."""
    return has_role(user, *Role.values)


def takes_training(user) -> bool:
    """Partnership training is for the people of both partners, not administrators."""
    return has_role(
        user, Role.CLINIC_STAFF, Role.SUPERVISOR, Role.NAVIGATOR, Role.PROGRAM_MANAGER
    )


def is_administrator(user) -> bool:
    return has_role(user, Role.ADMINISTRATOR)


def reads_partnerships(user) -> bool:
    """Navigators work referrals; everyone else reads their partnerships."""
    return has_role(
        user,
        Role.PROGRAM_MANAGER,
        Role.ADMINISTRATOR,
        Role.SUPERVISOR,
        Role.CLINIC_STAFF,
    )


def manages_partnerships(user) -> bool:
    """Program managers and administrators create partnerships and edit theirs."""
    return has_role(user, Role.PROGRAM_MANAGER, Role.ADMINISTRATOR)


def manages_program(user) -> bool:
    """Program managers read the dashboards and keep the evaluation's data."""
    return has_role(user, Role.PROGRAM_MANAGER)


def is_partner_member(user, partnership) -> bool:
    return user.organization_id in (partnership.health_system_id, partnership.cbo_id)


def may_edit_partnership(user, partnership) -> bool:
    """Program managers of either partner, and administrators, edit a partnership."""
    if is_administrator(user):
        return True
    return has_role(user, Role.PROGRAM_MANAGER) and is_partner_member(user, partnership)


def may_answer_invitation(user, partnership) -> bool:
    """The invited organization's program managers, and administrators, accept or
    decline a partnership invitation."""
    if not partnership.is_invitation:
        return False
    if is_administrator(user):
        return True
    return (
        has_role(user, Role.PROGRAM_MANAGER)
        and user.organization_id == partnership.invited_organization_id
    )


def may_withdraw_invitation(user, partnership) -> bool:
    """The inviting organization's program managers withdraw their invitation."""
    return (
        partnership.is_invitation
        and has_role(user, Role.PROGRAM_MANAGER)
        and user.organization_id == partnership.inviting_organization_id
    )


def may_see_payments(user) -> bool:
    """Clinic staff see service levels, never what the health system pays."""
    return has_role(user, Role.PROGRAM_MANAGER, Role.ADMINISTRATOR, Role.SUPERVISOR)


def reads_audit(user) -> bool:
    """Supervisors and program managers ask who viewed or changed a patient."""
    return has_role(user, Role.SUPERVISOR, Role.PROGRAM_MANAGER)


def reads_every_patient_trail(user) -> bool:
    """The health system's program manager reads the trail of all its patients;
    a supervisor only of the patients their CBO was referred."""
    return has_role(user, Role.PROGRAM_MANAGER)


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
