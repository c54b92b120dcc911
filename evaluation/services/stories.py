"""Recording stories, their consent, de-identification and thematic coding."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chwlink.lib.submissions import claims_form_token
from evaluation.access import keeps_data_of, manages_program, may_manage_consent
from evaluation.models import Story, StoryExcerpt, Theme
from partners.models import User
from referrals.access import navigates
from referrals.selectors import referral_list_for_user


@claims_form_token
def story_record(
    *,
    actor: User,
    patient,
    referral=None,
    told_on: datetime.date,
    language: str,
    domain: str,
    title: str,
    text: str,
    consent_scope: str,
    consent_expires_on: datetime.date | None = None,
    storyteller_approved: bool = False,
) -> Story:
    """A navigator records the story of a patient on their caseload, with the
    consent the storyteller gave."""
    referrals = referral_list_for_user(actor).filter(patient=patient)
    if referral is not None:
        referrals = referrals.filter(pk=referral.pk)
    anchor = referrals.order_by("-submitted_at").first()
    if not navigates(actor) or anchor is None:
        raise PermissionDenied
    if told_on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    if consent_expires_on and consent_expires_on <= told_on:
        raise ValidationError(
            _("Consent must expire after the day the story was told.")
        )
    return Story.objects.create(
        partnership=anchor.partnership,
        patient=patient,
        referral=referral,
        told_on=told_on,
        language=language,
        domain=domain,
        title=title,
        text=text,
        consent_scope=consent_scope,
        consent_expires_on=consent_expires_on,
        storyteller_approved=storyteller_approved,
        recorded_by=actor,
    )


def story_withdraw(*, actor: User, story: Story) -> Story:
    """The storyteller withdrew consent: the story leaves every shared view and
    export at once (they all filter on ``withdrawn_at``)."""
    if not may_manage_consent(actor, story):
        raise PermissionDenied
    if story.withdrawn_at:
        raise ValidationError(_("Consent was already withdrawn."))
    Story.objects.filter(pk=story.pk).update(
        withdrawn_at=timezone.now(), withdrawn_by=actor, updated=timezone.now()
    )
    story.refresh_from_db()
    return story


def story_deidentify(*, actor: User, story: Story, deidentified_text: str) -> Story:
    """The CBO (navigator who recorded it, or a supervisor) writes and reviews the
    de-identified version; only a reviewed version is ever shared."""
    if not may_manage_consent(actor, story):
        raise PermissionDenied
    if not deidentified_text.strip():
        raise ValidationError(_("Write the de-identified version."))
    story.deidentified_text = deidentified_text.strip()
    story.deidentified_reviewed_by = actor
    story.deidentified_reviewed_at = timezone.now()
    story.save(
        update_fields=[
            "deidentified_text",
            "deidentified_reviewed_by",
            "deidentified_reviewed_at",
            "updated",
        ]
    )
    return story


@claims_form_token
def story_code(
    *, actor: User, story: Story, theme: Theme, excerpt: str
) -> StoryExcerpt:
    """A program manager codes a passage of the de-identified story with a theme."""
    if not keeps_data_of(actor, theme.organization_id):
        raise PermissionDenied
    excerpt = excerpt.strip()
    if not excerpt or excerpt not in story.deidentified_text:
        raise ValidationError(
            _("Copy the excerpt exactly from the de-identified version of the story.")
        )
    return StoryExcerpt.objects.create(
        story=story, theme=theme, excerpt=excerpt, coded_by=actor
    )


@claims_form_token
def theme_save(
    *,
    actor: User,
    name: str,
    description: str = "",
    theme: Theme | None = None,
    is_active: bool = True,
) -> Theme:
    """Add a theme to, or rename one in, the organization's managed list."""
    if not manages_program(actor):
        raise PermissionDenied
    if theme is not None and not keeps_data_of(actor, theme.organization_id):
        raise PermissionDenied
    theme = theme or Theme(organization_id=actor.organization_id)
    theme.name = name.strip()
    theme.description = description.strip()
    theme.is_active = is_active
    try:
        with transaction.atomic():
            theme.save()
    except IntegrityError as clash:
        raise ValidationError(_("There is already a theme with this name.")) from clash
    return theme
