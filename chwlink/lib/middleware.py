"""Request-wide safeguards: idle and absolute session limits, the user's language,
no control characters in addresses, and no caching of signed-in pages (they may
hold PHI)."""

import math
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from chwlink.lib.forms import has_control_characters

# Pages that poll in the background send this header so polling never keeps an
# unattended session alive.
BACKGROUND_HEADER = "HTTP_X_CHWLINK_BACKGROUND"
LAST_ACTIVITY_KEY = "chwlink_last_activity"
STARTED_KEY = "chwlink_session_started"


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self._enforce_limits(request)
        return self.get_response(request)

    def _enforce_limits(self, request):
        now = time.time()
        session = request.session
        session.setdefault(STARTED_KEY, now)
        session.setdefault(LAST_ACTIVITY_KEY, now)
        if min(seconds_left(session, now).values()) < 0:
            # Only this session ends: sign-out everywhere is for a deliberate sign-out.
            request.chwlink_session_expired = True
            logout(request)
            messages.info(request, _("You were signed out to protect patient data."))
            return
        if not request.META.get(BACKGROUND_HEADER):
            session[LAST_ACTIVITY_KEY] = now
        # Pages tell their script when to warn before the session ends.
        request.chwlink_session = {
            **seconds_left(session, now),
            "warning": settings.SESSION_WARNING_SECONDS,
        }


def seconds_left(session, now: float) -> dict:
    """Whole seconds until the idle timeout and until the absolute cap."""
    idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
    absolute = settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()
    return {
        "idle": math.floor(session.get(LAST_ACTIVITY_KEY, now) + idle - now),
        "absolute": math.floor(session.get(STARTED_KEY, now) + absolute - now),
    }


class UserLanguageMiddleware:
    """Use the language a signed-in user chose, on every device they use."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = getattr(request.user, "language", "")
        if request.user.is_authenticated and language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class QueryStringMiddleware:
    """Refuse an address whose query string (a filter, a page number, a return
    address) holds a control character: no field takes one, and PostgreSQL refuses a
    null byte. The page says what is wrong instead of failing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(
            has_control_characters(text)
            for key, values in request.GET.lists()
            for text in (key, *values)
        ):
            reason = _(
                "The address contains control characters (such as a null byte) "
                "that no search or filter accepts."
            )
            return render(request, "errors/400.html", {"reason": reason}, status=400)
        return self.get_response(request)


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, private"
        return response


def stamp_new_session(sender, request, user, **kwargs):
    """Start the idle and absolute clocks at sign-in (connected to user_logged_in)."""
    now = time.time()
    request.session[STARTED_KEY] = now
    request.session[LAST_ACTIVITY_KEY] = now
