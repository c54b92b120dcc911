"""A story shared once and whose consent then ends (withdrawn, or past its expiry
date in local time) leaves every shared view and export: the dashboard's stories
and theme counts, the story list and page, and the funder CSV."""

import csv
import datetime
import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from evaluation.models import Story
from evaluation.services.stories import (
    story_code,
    story_deidentify,
    story_record,
    story_withdraw,
    theme_save,
)
from evaluation.tests.factories import caseload_referral
from partners.tests.factories import UserFactory

# Friday 1 May 2026, noon in Los Angeles.
TOLD = datetime.date(2026, 5, 1)
NOON = datetime.datetime(2026, 5, 1, 19, tzinfo=datetime.UTC)
EXPIRES = datetime.date(2026, 6, 30)
# The last moment of 30 June in Los Angeles, and the first of 1 July.
LAST_MOMENT = datetime.datetime(2026, 7, 1, 6, 59, 59, tzinfo=datetime.UTC)
FIRST_MOMENT_AFTER = datetime.datetime(2026, 7, 1, 7, 0, tzinfo=datetime.UTC)


@pytest.fixture
def referral(partnership, supervisor, navigator):
    with time_machine.travel(NOON, tick=False):
        return caseload_referral(
            partnership=partnership, supervisor=supervisor, navigator=navigator
        )


def shared_story(*, navigator, manager, referral, scope="funder", expires=EXPIRES):
    with time_machine.travel(NOON, tick=False):
        story = story_record(
            actor=navigator,
            patient=referral.patient,
            referral=referral,
            told_on=TOLD,
            language="es",
            domain="housing",
            title="Back on my feet",
            text="María found a home near Eastside with Nadia's help.",
            consent_scope=scope,
            consent_expires_on=expires,
        )
        story = story_deidentify(
            actor=navigator,
            story=story,
            deidentified_text="  A mother found a stable home with help.  ",
        )
        theme = theme_save(actor=manager, name=" Housing stability ")
        story_code(actor=manager, story=story, theme=theme, excerpt=" a stable home ")
    return story


def shared_views(login, reauthenticated, manager, story):
    """What the program manager sees of the story in each shared place."""
    client = login(manager)
    dashboard = client.get("/evaluation/").context["data"]
    listed = client.get("/evaluation/stories/").context["page"]
    detail = client.get(f"/evaluation/stories/{story.code}/").status_code
    export = reauthenticated(manager).get("/evaluation/export/stories.csv")
    rows = list(csv.reader(io.StringIO(export.getvalue().decode())))
    return {
        "dashboard": [s.title for s in dashboard["stories"]["stories"]],
        "themes": dashboard["tables"]["themes"]["rows"],
        "list": [s.title for s in listed],
        "detail": detail,
        "export": rows[1:],
    }


SHOWN = {
    "dashboard": ["Back on my feet"],
    "themes": [["Housing stability", 1]],
    "list": ["Back on my feet"],
    "detail": 200,
    "export": [
        [
            "2026",
            "Housing",
            "Spanish",
            "Back on my feet",
            "A mother found a stable home with help.",
            "Housing stability",
        ]
    ],
}
GONE = {"dashboard": [], "themes": [], "list": [], "detail": 404, "export": []}


def test_consent_holds_until_the_last_moment_of_its_expiry_day(
    login, reauthenticated, navigator, manager, referral
):
    story = shared_story(navigator=navigator, manager=manager, referral=referral)
    with time_machine.travel(LAST_MOMENT, tick=False):
        assert shared_views(login, reauthenticated, manager, story) == SHOWN
    with time_machine.travel(FIRST_MOMENT_AFTER, tick=False):
        assert shared_views(login, reauthenticated, manager, story) == GONE


def test_withdrawal_after_sharing_removes_it_from_every_shared_view(
    login, reauthenticated, navigator, manager, referral
):
    story = shared_story(navigator=navigator, manager=manager, referral=referral)
    with time_machine.travel(NOON, tick=False):
        assert shared_views(login, reauthenticated, manager, story) == SHOWN
        story = story_withdraw(actor=navigator, story=story)
        assert story.withdrawn_at == NOON
        assert story.withdrawn_by == navigator
        assert shared_views(login, reauthenticated, manager, story) == GONE
        with pytest.raises(ValidationError, match="already withdrawn"):
            story_withdraw(actor=navigator, story=story)


@time_machine.travel(NOON, tick=False)
def test_internal_consent_is_on_the_dashboard_but_not_in_the_funder_export(
    login, reauthenticated, navigator, manager, referral
):
    story = shared_story(
        navigator=navigator, manager=manager, referral=referral, scope="internal"
    )
    views = shared_views(login, reauthenticated, manager, story)
    assert views == {**SHOWN, "export": []}


@time_machine.travel(NOON, tick=False)
def test_public_consent_without_expiry_is_in_the_funder_export(
    login, reauthenticated, navigator, manager, referral
):
    story = shared_story(
        navigator=navigator,
        manager=manager,
        referral=referral,
        scope="public",
        expires=None,
    )
    assert shared_views(login, reauthenticated, manager, story) == SHOWN


@time_machine.travel(NOON, tick=False)
def test_who_may_withdraw_consent(
    navigator, supervisor, manager, partnership, referral, outsiders
):
    story = shared_story(navigator=navigator, manager=manager, referral=referral)
    colleague = UserFactory(role="navigator", organization=partnership.cbo)
    for actor in (colleague, manager, outsiders["supervisor"]):
        with pytest.raises(PermissionDenied):
            story_withdraw(actor=actor, story=story)
        with pytest.raises(PermissionDenied):
            story_deidentify(actor=actor, story=story, deidentified_text="Other")
    assert story_withdraw(actor=supervisor, story=story).withdrawn_by == supervisor


@time_machine.travel(NOON, tick=False)
def test_the_supervisor_may_review_the_deidentified_version(
    navigator, supervisor, manager, referral
):
    story = shared_story(navigator=navigator, manager=manager, referral=referral)
    story = story_deidentify(actor=supervisor, story=story, deidentified_text=" New ")
    story.refresh_from_db()
    assert (story.deidentified_text, story.deidentified_reviewed_by) == (
        "New",
        supervisor,
    )
    assert story.deidentified_reviewed_at == NOON
    with pytest.raises(ValidationError, match="Write the de-identified version"):
        story_deidentify(actor=supervisor, story=story, deidentified_text="   ")


@time_machine.travel(NOON, tick=False)
def test_consent_must_outlast_the_day_the_story_was_told(navigator, referral):
    common = {
        "actor": navigator,
        "patient": referral.patient,
        "language": "es",
        "domain": "housing",
        "title": "T",
        "text": "Text",
        "consent_scope": "funder",
    }
    with pytest.raises(ValidationError, match="expire after the day"):
        story_record(**common, told_on=TOLD, consent_expires_on=TOLD)
    story = story_record(
        **common, told_on=TOLD, consent_expires_on=TOLD + datetime.timedelta(days=1)
    )
    assert story.consent_expires_on == datetime.date(2026, 5, 2)
    assert story.partnership == referral.partnership
    assert story.referral is None
    with pytest.raises(ValidationError, match="cannot be in the future"):
        story_record(**common, told_on=TOLD + datetime.timedelta(days=1))


@time_machine.travel(NOON, tick=False)
def test_only_the_caseload_navigator_records_a_story(
    navigator, supervisor, partnership, referral
):
    colleague = UserFactory(role="navigator", organization=partnership.cbo)
    for actor in (colleague, supervisor):
        with pytest.raises(PermissionDenied):
            story_record(
                actor=actor, patient=referral.patient, told_on=TOLD, language="es",
                domain="housing", title="T", text="Text", consent_scope="internal",
            )  # fmt: skip
    assert Story.objects.count() == 0


@time_machine.travel(NOON, tick=False)
def test_coding_needs_a_manager_and_a_theme_of_their_own(
    navigator, manager, referral, outsiders
):
    story = shared_story(navigator=navigator, manager=manager, referral=referral)
    theme = theme_save(actor=manager, name="Food")
    foreign = theme_save(actor=outsiders["program_manager"], name="Food")
    with pytest.raises(PermissionDenied):
        story_code(actor=navigator, story=story, theme=theme, excerpt="a mother")
    with pytest.raises(PermissionDenied):
        story_code(actor=manager, story=story, theme=foreign, excerpt="a mother")
    with pytest.raises(PermissionDenied):
        theme_save(actor=navigator, name="Other")
    with pytest.raises(PermissionDenied):
        theme_save(actor=manager, name="Mine now", theme=foreign)
    with pytest.raises(ValidationError, match="Copy the excerpt exactly"):
        story_code(actor=manager, story=story, theme=theme, excerpt="   ")
    excerpt = story_code(actor=manager, story=story, theme=theme, excerpt=" A mother ")
    assert (excerpt.excerpt, excerpt.coded_by) == ("A mother", manager)
