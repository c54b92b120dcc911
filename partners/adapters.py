"""Hooks that fit django-allauth and django-axes to chwlink."""

from allauth.account.adapter import DefaultAccountAdapter
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

from chwlink.lib import outbox
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


def axes_username(request, credentials):
    """Lock out by the e-mail typed, whichever way allauth passes it."""
    credentials = credentials or {}
    value = (
        credentials.get("email")
        or credentials.get("username")
        or request.POST.get("login", "")
    )
    return value.strip().lower()
