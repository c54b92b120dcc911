import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from evaluation.models import Story
from evaluation.services.stories import (
    story_code,
    story_deidentify,
    story_record,
    story_withdraw,
    theme_save,
)
from evaluation.tests.factories import caseload_referral

TODAY = "2026-05-04 12:00Z"


@pytest.fixture
def referral(partnership, supervisor, navigator):
    return caseload_referral(
        partnership=partnership, supervisor=supervisor, navigator=navigator
    )


def _record(navigator, anchor, **fields):
    values = {
        "actor": navigator,
        "patient": anchor.patient,
        "told_on": datetime.date(2026, 5, 1),
        "language": "es",
        "domain": "housing",
        "title": "Back on my feet",
        "text": "María found a home near Eastside.",
        "consent_scope": "funder",
    } | fields
    return story_record(**values)


@time_machine.travel(TODAY)
def test_recorded_story_keeps_its_text_referral_and_approval(navigator, referral):
    story = _record(navigator, referral, referral=referral, storyteller_approved=True)
    story.refresh_from_db()
    assert story.text == "María found a home near Eastside."
    assert story.referral == referral
    assert story.storyteller_approved is True


@time_machine.travel(TODAY)
def test_story_is_not_approved_by_the_storyteller_unless_said(navigator, referral):
    story = _record(navigator, referral)
    story.refresh_from_db()
    assert story.storyteller_approved is False
    assert story.referral is None


@time_machine.travel(TODAY)
def test_future_story_date_message(navigator, referral):
    with pytest.raises(ValidationError) as refused:
        _record(navigator, referral, told_on=datetime.date(2026, 5, 5))
    assert refused.value.messages == ["The date cannot be in the future."]


@time_machine.travel(TODAY)
def test_consent_expiring_on_the_day_told_message(navigator, referral):
    with pytest.raises(ValidationError) as refused:
        _record(navigator, referral, consent_expires_on=datetime.date(2026, 5, 1))
    assert refused.value.messages == [
        "Consent must expire after the day the story was told."
    ]


def test_withdrawal_marks_the_story_as_updated(navigator, referral):
    with time_machine.travel(TODAY):
        story = _record(navigator, referral)
    with time_machine.travel("2026-05-10 09:00Z", tick=False):
        story = story_withdraw(actor=navigator, story=story)
    assert story.updated == datetime.datetime(2026, 5, 10, 9, tzinfo=datetime.UTC)
    with pytest.raises(ValidationError) as refused:
        story_withdraw(actor=navigator, story=story)
    assert refused.value.messages == ["Consent was already withdrawn."]


@time_machine.travel(TODAY)
def test_blank_deidentified_version_message(navigator, referral):
    story = _record(navigator, referral)
    with pytest.raises(ValidationError) as refused:
        story_deidentify(actor=navigator, story=story, deidentified_text="  ")
    assert refused.value.messages == ["Write the de-identified version."]


@time_machine.travel(TODAY)
def test_excerpt_not_in_story_message(navigator, manager, referral):
    story = _record(navigator, referral)
    story_deidentify(actor=navigator, story=story, deidentified_text="A home.")
    theme = theme_save(actor=manager, name="Housing")
    with pytest.raises(ValidationError) as refused:
        story_code(actor=manager, story=story, theme=theme, excerpt="A car")
    assert refused.value.messages == [
        "Copy the excerpt exactly from the de-identified version of the story."
    ]


def test_theme_without_description_has_an_empty_one(manager):
    theme = theme_save(actor=manager, name="Housing")
    theme.refresh_from_db()
    assert theme.description == ""


def test_duplicate_theme_message(manager):
    theme_save(actor=manager, name="Housing")
    with pytest.raises(ValidationError) as refused:
        theme_save(actor=manager, name="Housing")
    assert refused.value.messages == ["There is already a theme with this name."]


@time_machine.travel(TODAY)
def test_reviewing_an_open_copy_does_not_undo_a_withdrawal(navigator, referral):
    story = _record(navigator, referral)
    open_copy = Story.objects.get(pk=story.pk)
    story_withdraw(actor=navigator, story=story)
    story_deidentify(actor=navigator, story=open_copy, deidentified_text="A home.")
    assert Story.objects.get(pk=story.pk).withdrawn_at is not None
