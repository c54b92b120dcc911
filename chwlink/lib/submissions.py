"""Creating forms are sent once: a double click or a resent page makes one row.

Every form that creates a record carries a hidden one-time token, drawn when the
form is shown (`FormTokenForm`). The service that creates the record is wrapped in
`claims_form_token`: inside one transaction it first inserts the token under a
unique constraint, then does its work and notes what it made. A second request with
the same token waits at that insert until the first commits, then fails it and
raises `AlreadySubmitted` with the first one's result; the view sends the person to
that record. If the first request fails, its transaction (and the token with it)
is rolled back and the form can be sent again. A form without a token (a page shown
before tokens existed, a script) is saved as before, without this protection.
"""

import datetime
import functools
import uuid

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from chwlink.lib.forms import PlainTextForm
from chwlink.lib.models import FormSubmission

# A page older than a session cannot be sent any more (signing in again rotates
# the CSRF token), so a day covers every token that can still arrive.
KEEP_FOR = datetime.timedelta(days=1)


class AlreadySubmitted(Exception):
    """The form was already sent; ``result`` is what the first request made (the
    code of the record, or "" when the form's page is the record's parent)."""

    def __init__(self, result: str):
        super().__init__(result)
        self.result = result


class FormTokenForm(PlainTextForm):
    """Add to a creating form's bases; templates render ``{{ form.form_token }}``
    (``{{ form|crispy }}`` renders it already). A re-shown invalid form keeps the
    token it was sent with: nothing was saved, so it is still unused."""

    form_token = forms.UUIDField(
        widget=forms.HiddenInput, initial=uuid.uuid4, required=False
    )

    @property
    def one_time_token(self) -> uuid.UUID | None:
        return self.cleaned_data.get("form_token")

    def cleaned_without_token(self) -> dict:
        """The cleaned data for a service that takes the fields as one dict."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name != "form_token"
        }


def posted_form_token(data) -> uuid.UUID | None:
    """The token of a form that has no form class of its own (``{% form_token %}``
    in its template)."""
    form = FormTokenForm(data)
    return form.one_time_token if form.is_valid() else None


def claims_form_token(service):
    """Wrap a creating service: its keyword ``form_token`` is claimed for its
    ``actor`` in the service's own transaction, before any of its work, and the
    ``code`` of what it returns is kept for a duplicate request to find."""

    @functools.wraps(service)
    def once(*args, form_token: uuid.UUID | None = None, **kwargs):
        if form_token is None:
            return service(*args, **kwargs)
        # Services name the person who acts ``actor`` (reports: ``user``).
        actor = kwargs["actor"] if "actor" in kwargs else kwargs["user"]
        with transaction.atomic():
            submission = _claim(actor=actor, token=form_token)
            made = service(*args, **kwargs)
            code = getattr(made, "code", None)
            if code is not None:
                submission.result = str(code)
                submission.save(update_fields=["result"])
        return made

    return once


def _claim(*, actor, token: uuid.UUID) -> FormSubmission:
    try:
        with transaction.atomic():
            return FormSubmission.objects.create(user=actor, token=token)
    except IntegrityError:
        # The insert waited for the first request's transaction and found its
        # committed row: read what it made.
        first = FormSubmission.objects.get(user=actor, token=token)
        raise AlreadySubmitted(first.result) from None


def already_submitted(request, to: str, *args, **kwargs):
    """Send a duplicate request where the first one went (``to`` and the rest as
    for ``redirect``), and say why."""
    messages.info(request, _("This form had already been sent: here is what it saved."))
    return redirect(to, *args, **kwargs)


def form_submissions_expire(*, now=None) -> int:
    """Forget tokens older than any page that can still be sent."""
    cutoff = (now or timezone.now()) - KEEP_FOR
    deleted, _kinds = FormSubmission.objects.filter(created__lt=cutoff).delete()
    return deleted
