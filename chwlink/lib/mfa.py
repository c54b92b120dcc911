"""Two-factor policy: a partnership can require an authenticator app for some roles."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

# Pages a user must still reach before setting up MFA: sign-in and account pages
# (which include the MFA setup), sign-out, the language menu and static files.
ALLOWED_PREFIXES = ("account_", "mfa_", "usersessions_")
ALLOWED_VIEW_NAMES = {"partners:language", "session-status"}


class MfaPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from partners.mfa import mfa_setup_required

        if not request.user.is_authenticated or _is_allowed(request):
            return None
        if not mfa_setup_required(request):
            return None
        messages.warning(
            request,
            _(
                "Your partnership requires two-factor authentication for your role. "
                "Set up an authenticator app to continue."
            ),
        )
        return redirect("mfa_activate_totp")


def _is_allowed(request):
    """Static files never reach this: WhiteNoise or runserver serve them first."""
    match = request.resolver_match
    if match.view_name in ALLOWED_VIEW_NAMES:
        return True
    return (match.url_name or "").startswith(ALLOWED_PREFIXES)
