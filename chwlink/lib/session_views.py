"""How long the signed-in session has left, and "Stay signed in"."""

import time

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.http import require_http_methods

from chwlink.lib.middleware import seconds_left


@require_http_methods(["GET", "POST"])
def session_status(request):
    """Seconds left before the idle timeout and the absolute cap.

    The page's script asks with the background header (GET), which leaves the idle
    clock alone; "Stay signed in" is an ordinary POST, which the session middleware
    counts as activity. A session that already ended never reaches this view: the
    middleware signs it out and the sign-in page answers instead.
    """
    return JsonResponse(seconds_left(request.session, time.time()))


# Included from chwlink/urls.py: path("session/", include("chwlink.lib.session_views"))
urlpatterns = [path("", session_status, name="session-status")]
