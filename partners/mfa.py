"""The two-factor policy: which signed-in people must set up an authenticator app."""

import time

from allauth.mfa.models import Authenticator
from django.db.models import Exists, F, Q

from partners.models import Partnership, User

# A passed check is remembered in the session, so pages do not pay a query each,
# for the person's policy version: anything that may bring a new requirement moves
# the version on (``mfa_policy_changed``), and the next request checks again. After
# a few minutes the check is made again anyway, for a change made outside chwlink
# (in SQL).
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


def _passed(user) -> dict:
    return {"version": user.mfa_policy_version, "at": time.time()}


def mfa_setup_required(request) -> bool:
    """The policy for this request's user, remembered in the session once passed."""
    checked = request.session.get(CHECKED_KEY)
    if (
        isinstance(checked, dict)
        and checked.get("version") == request.user.mfa_policy_version
        and time.time() - checked.get("at", 0) < RECHECK_SECONDS
    ):
        return False
    if mfa_setup_required_query(request.user):
        request.session.pop(CHECKED_KEY, None)
        return True
    request.session[CHECKED_KEY] = _passed(request.user)
    return False


def mfa_policy_check_on_login(sender, request, user, **kwargs):
    """Check the policy at sign-in (connected to user_logged_in), so the first page
    after signing in costs no extra query."""
    session = getattr(request, "session", None)
    if session is None:
        return
    session.pop(CHECKED_KEY, None)
    if not mfa_setup_required_query(user):
        session[CHECKED_KEY] = _passed(user)


def mfa_policy_changed(*, organization_ids=(), user_ids=()) -> None:
    """The policy of these organizations' people (or of these people) may now ask
    for more: their signed-in sessions check it again on their next request."""
    User.objects.filter(
        Q(organization_id__in=list(organization_ids)) | Q(pk__in=list(user_ids))
    ).update(mfa_policy_version=F("mfa_policy_version") + 1)


def mfa_policy_changed_on_authenticator_removed(sender, instance, **kwargs):
    """An authenticator app removed, however (connected to post_delete)."""
    if instance.type == Authenticator.Type.TOTP:
        mfa_policy_changed(user_ids=[instance.user_id])
