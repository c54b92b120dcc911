"""The partners app's middleware: the partnership's two-factor policy, and the
request-wide audit (a request id, pghistory context for write triggers, and an
access record for every read of PHI; see ``partners.audit``)."""

import uuid

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from pghistory.middleware import HistoryMiddleware

from chwlink.lib import patients_shown
from partners.audit import access_record_for_response
from partners.mfa import mfa_setup_required

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


class AuditMiddleware(HistoryMiddleware):
    """Give each request an id; database triggers store it with the user and URL on
    every change of PHI, and the access log stores it with every read, with the
    patients whose rows the request loaded (``chwlink.lib.patients_shown``)."""

    def get_context(self, request):
        return {**super().get_context(request), "request_id": str(request.request_id)}

    def __call__(self, request):
        request.request_id = uuid.uuid4()
        with patients_shown.collecting() as patients:
            response = super().__call__(request)
        access_record_for_response(
            request=request, response=response, patients=patients
        )
        return response
