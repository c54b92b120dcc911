"""The two-factor policy: which signed-in people must set up an authenticator app."""

import time

from allauth.mfa.models import Authenticator
from django.db.models import Exists

from partners.models import Partnership

# A passed check is remembered in the session for a few minutes, so pages do not pay
# a query each; a partnership's new requirement reaches signed-in people within this.
CHECKED_KEY = "chwlink_mfa_checked"
RECHECK_SECONDS = 300


def mfa_setup_required_query(user) -> bool:
    """True when a partnership of the user's organization requires MFA for the user's
    role and the user has no authenticator app (TOTP) yet. One query."""
    if not user.organization_id:
        return False
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP)
    return (
        Partnership.objects.of_organization(user.organization_id)
        .accepted()
        .filter(mfa_required_roles__contains=[user.role])
        .exclude(Exists(totp))
        .exists()
    )


def mfa_setup_required(request) -> bool:
    """The policy for this request's user, remembered in the session once passed."""
    checked = request.session.get(CHECKED_KEY)
    if checked and time.time() - checked < RECHECK_SECONDS:
        return False
    if mfa_setup_required_query(request.user):
        request.session.pop(CHECKED_KEY, None)
        return True
    request.session[CHECKED_KEY] = time.time()
    return False


def mfa_policy_check_on_login(sender, request, user, **kwargs):
    """Check the policy at sign-in (connected to user_logged_in), so the first page
    after signing in costs no extra query."""
    session = getattr(request, "session", None)
    if session is None:
        return
    session.pop(CHECKED_KEY, None)
    if not mfa_setup_required_query(user):
        session[CHECKED_KEY] = time.time()
