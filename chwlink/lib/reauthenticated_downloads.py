"""Downloads behind a password check: ask, deliver, and return the user to where
they were.

A link to a file cannot take the browser through the re-authentication page:
with ``download`` the browser saves that page as the file (``download.html``);
without it, the file comes after the password but the browser stays on the
confirmation page with the password typed. So a download that needs a fresh
password remembers itself in the session and sends the user to confirm it with
the page the link was on as ``next``; that page, the first one shown once the
password is confirmed, starts the download (``static/js/app.js``) and offers a
link to it in case it did not start.
"""

from functools import wraps
from urllib.parse import urlencode, urlsplit

from allauth.account.adapter import get_adapter
from allauth.account.decorators import reauthentication_required
from allauth.account.internal.flows.reauthentication import (
    is_reauthentication_required,
)
from allauth.core.exceptions import ReauthenticationRequired
from django.conf import settings
from django.shortcuts import redirect, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

SESSION_KEY = "chwlink_download_after_reauthentication"


def download_after_reauthentication(view):
    """The view's file once the password was confirmed in the last few
    minutes; else the password page, then back to where the link was."""
    guarded = reauthentication_required(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return guarded(request, *args, **kwargs)
        except ReauthenticationRequired:
            request.session[SESSION_KEY] = request.get_full_path()
            methods = get_adapter().get_reauthentication_methods(request.user)
            confirm = methods[0]["url"] if methods else resolve_url("account_login")
            return redirect(f"{confirm}?{urlencode({'next': _came_from(request)})}")

    return wrapper


def _came_from(request) -> str:
    """The page of this site the link was on, else the home page."""
    referer = request.headers.get("Referer", "")
    if url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        if parts.path and parts.path != request.path:
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def pending_download(request) -> dict:
    """Context processor: the download waiting for this page, once the password
    is confirmed (taken from the session so that it starts once)."""
    session = getattr(request, "session", None)
    user = getattr(request, "user", None)
    if session is None or user is None or SESSION_KEY not in session:
        return {}
    if is_reauthentication_required(request, app=""):
        return {}
    return {"pending_download": session.pop(SESSION_KEY)}
