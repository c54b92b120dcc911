"""Hooks that fit django-allauth and django-axes to chwlink: the adapter, the
account forms and the lockout's user name."""

import time

from allauth.account import app_settings
from allauth.account import forms as account_forms
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

from chwlink.lib import outbox
from chwlink.lib.forms import PlainTextMixin
from partners.access import home_url


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Accounts are created by administrators for known staff only.
        return False

    def send_mail(self, template_prefix, email, context):
        """Queue allauth's e-mails (password reset…) through the Celery outbox."""
        context = {**context, "email": email}
        subject = render_to_string(f"{template_prefix}_subject.txt", context)
        subject = self.format_email_subject(" ".join(subject.splitlines()).strip())
        body_text = render_to_string(f"{template_prefix}_message.txt", context).strip()
        try:
            body_html = render_to_string(f"{template_prefix}_message.html", context)
        except TemplateDoesNotExist:
            body_html = ""
        outbox.email_queue(
            to=email, subject=subject, body_text=body_text, body_html=body_html
        )

    def get_login_redirect_url(self, request):
        return home_url(request.user)

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Ask for the password again unless the person gave it (or an
        authenticator code) in the last few minutes: by confirming it, which
        allauth counts, or by signing in, which allauth does not."""
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        return not signed_in_recently(self.request)


# The sign-in steps as strong as the confirmation form: a password or a code from
# the authenticator app (not a password-reset link).
SIGN_IN_METHODS = {"password", "mfa"}


def signed_in_recently(request) -> bool:
    """True when this session's sign-in (its last password or authenticator step)
    was within the re-authentication window."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    times = [
        record["at"]
        for record in get_authentication_records(request, user)
        if record.get("method") in SIGN_IN_METHODS
    ]
    return bool(times) and time.time() - max(times) < (
        app_settings.REAUTHENTICATION_TIMEOUT
    )


def axes_username(request, credentials):
    """Lock out by the e-mail typed, whichever way allauth passes it."""
    credentials = credentials or {}
    value = (
        credentials.get("email")
        or credentials.get("username")
        or request.POST.get("login", "")
    )
    return value.strip().lower()


# allauth's sign-in and account forms, refusing control characters like every form
# of chwlink (``ACCOUNT_FORMS`` in the settings names them).


class SignInForm(PlainTextMixin, account_forms.LoginForm):
    pass


class ConfirmPasswordForm(PlainTextMixin, account_forms.ReauthenticateForm):
    pass


class ChangePasswordForm(PlainTextMixin, account_forms.ChangePasswordForm):
    pass


class AddEmailForm(PlainTextMixin, account_forms.AddEmailForm):
    pass


class ResetPasswordForm(PlainTextMixin, account_forms.ResetPasswordForm):
    pass


class ResetPasswordKeyForm(PlainTextMixin, account_forms.ResetPasswordKeyForm):
    pass
