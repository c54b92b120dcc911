import csv
import datetime
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError

from evaluation.models import Story
from evaluation.services.stories import story_code, story_deidentify, theme_save
from evaluation.tests.factories import caseload_referral

TODAY = "2026-05-04 12:00Z"


@pytest.fixture
def referral(partnership, supervisor, navigator):
    return caseload_referral(
        partnership=partnership, supervisor=supervisor, navigator=navigator
    )


@pytest.fixture
def story(login, navigator, referral):
    with time_machine.travel(TODAY):
        login(navigator).post(
            f"/evaluation/patients/{referral.patient.code}/stories/new/",
            {
                "title": "Back on my feet",
                "told_on": "2026-05-01",
                "language": "es",
                "domain": "housing",
                "text": "María found a home near Eastside with Nadia's help.",
                "consent_scope": "funder",
                "consent_expires_on": "2027-05-01",
                "storyteller_approved": "on",
            },
        )
    story = Story.objects.get()
    return story_deidentify(
        actor=navigator,
        story=story,
        deidentified_text="A mother found a stable home with her navigator's help.",
    )


@time_machine.travel(TODAY)
def test_navigator_records_a_story_with_consent(story, navigator):
    assert story.consent_scope == "funder"
    assert story.recorded_by == navigator
    assert story.deidentified_reviewed_by == navigator


@time_machine.travel(TODAY)
def test_manager_sees_only_the_deidentified_version(login, manager, story):
    page = login(manager).get(f"/evaluation/stories/{story.code}/").content.decode()
    assert "A mother found a stable home" in page
    assert "María" not in page


@time_machine.travel(TODAY)
def test_withdrawn_consent_removes_the_story_everywhere_at_once(
    login, navigator, manager, story
):
    manager_client = login(manager)
    assert "Back on my feet" in manager_client.get("/evaluation/").content.decode()
    login(navigator).post(f"/evaluation/stories/{story.code}/withdraw/")
    manager_client = login(manager)
    assert "Back on my feet" not in manager_client.get("/evaluation/").content.decode()
    assert (
        "Back on my feet"
        not in manager_client.get("/evaluation/stories/").content.decode()
    )
    assert manager_client.get(f"/evaluation/stories/{story.code}/").status_code == 404
    page = login(navigator).get(f"/evaluation/stories/{story.code}/").content.decode()
    assert "Consent withdrawn" in page


def test_expired_consent_hides_the_story_from_shared_views(login, manager, story):
    with time_machine.travel("2027-05-02 12:00Z"):
        response = login(manager).get("/evaluation/stories/")
    assert "Back on my feet" not in response.content.decode()


@time_machine.travel(TODAY)
def test_story_without_reviewed_version_is_not_shared(login, manager, story):
    Story.objects.update(deidentified_reviewed_at=None)
    assert list(login(manager).get("/evaluation/stories/").context["page"]) == []


@time_machine.travel(TODAY)
def test_manager_codes_an_excerpt_and_filters_by_theme(login, manager, story):
    theme = theme_save(actor=manager, name="Housing stability")
    client = login(manager)
    response = client.post(
        f"/evaluation/stories/{story.code}/code/",
        {"theme": theme.pk, "excerpt": "found a stable home"},
    )
    assert response.status_code == 302
    listing = client.get(f"/evaluation/stories/?theme={theme.pk}")
    assert [s.title for s in listing.context["page"]] == ["Back on my feet"]
    themes = client.get("/evaluation/").context["data"]["tables"]["themes"]
    assert themes["rows"] == [["Housing stability", 1]]


@time_machine.travel(TODAY)
def test_excerpt_must_come_from_the_deidentified_text(manager, story):
    theme = theme_save(actor=manager, name="Housing")
    with pytest.raises(ValidationError):
        story_code(actor=manager, story=story, theme=theme, excerpt="María found")


@time_machine.travel(TODAY)
def test_excerpt_error_shows_beside_the_field(login, manager, story):
    theme = theme_save(actor=manager, name="Housing")
    response = login(manager).post(
        f"/evaluation/stories/{story.code}/code/",
        {"theme": theme.pk, "excerpt": "not in the story"},
    )
    page = response.content.decode()
    assert "Copy the excerpt exactly" in page and "not in the story" in page


def test_duplicate_theme_name_is_refused(login, manager):
    client = login(manager)
    client.post("/evaluation/themes/", {"name": "Trust", "is_active": "on"})
    response = client.post("/evaluation/themes/", {"name": "Trust"})
    assert "There is already a theme with this name." in response.content.decode()


def test_theme_can_be_renamed(login, manager):
    theme = theme_save(actor=manager, name="Trsut")
    login(manager).post(
        f"/evaluation/themes/{theme.code}/", {"name": "Trust", "is_active": "on"}
    )
    theme.refresh_from_db()
    assert theme.name == "Trust"


@time_machine.travel(TODAY)
def test_story_date_in_the_future_is_refused(login, navigator, referral):
    response = login(navigator).post(
        f"/evaluation/patients/{referral.patient.code}/stories/new/",
        {"title": "Soon", "told_on": "2026-06-01", "language": "es",
         "domain": "food", "text": "Text", "consent_scope": "internal"},
    )  # fmt: skip
    assert "The date cannot be in the future." in response.content.decode()
    assert not Story.objects.exists()


@time_machine.travel(TODAY)
def test_outsiders_get_404_on_story_and_theme_urls(login, outsiders, manager, story):
    theme = theme_save(actor=manager, name="Hope")
    new_story = f"/evaluation/patients/{story.patient.code}/stories/new/"
    assert login(outsiders["navigator"]).get(new_story).status_code == 404
    for role in ("navigator", "supervisor", "program_manager"):
        client = login(outsiders[role])
        assert client.get(f"/evaluation/stories/{story.code}/").status_code == 404
    assert (
        login(outsiders["navigator"])
        .post(f"/evaluation/stories/{story.code}/withdraw/")
        .status_code
        == 404
    )
    manager_client = login(outsiders["program_manager"])
    assert manager_client.get(f"/evaluation/themes/{theme.code}/").status_code == 404
    assert (
        manager_client.get(f"/evaluation/stories/{story.code}/code/").status_code == 404
    )


def test_clinic_staff_cannot_read_stories(login, clinic_user):
    assert login(clinic_user).get("/evaluation/stories/").status_code == 403


@time_machine.travel(TODAY)
def test_dataset_export_has_no_direct_identifiers(
    reauthenticated, manager, story, referral
):
    response = reauthenticated(manager).get("/evaluation/export/dataset.csv")
    content = response.getvalue().decode()
    rows = list(csv.DictReader(io.StringIO(content)))
    patient = referral.patient
    assert len(rows) == 1
    phone = patient.phone
    for secret in (patient.first_name, patient.last_name, patient.mrn, str(phone)):
        assert secret not in content
    assert rows[0]["birth_year"] == str(patient.date_of_birth.year)
    assert str(patient.date_of_birth) not in content
    again = reauthenticated(manager).get("/evaluation/export/dataset.csv")
    again = again.getvalue().decode()
    assert next(csv.DictReader(io.StringIO(again)))["pseudonym"] != rows[0]["pseudonym"]


def test_dataset_groups_ages_over_89(reauthenticated, manager, referral):
    referral.patient.date_of_birth = datetime.date(1920, 2, 2)
    referral.patient.save()
    client = reauthenticated(manager)
    content = client.get("/evaluation/export/dataset.csv").getvalue().decode()
    assert "1920" not in content and "<=" in content


@time_machine.travel(TODAY)
def test_funder_export_holds_only_consented_deidentified_stories(
    login, reauthenticated, navigator, manager, story
):
    client = reauthenticated(manager)
    content = client.get("/evaluation/export/stories.csv").getvalue().decode()
    assert "A mother found a stable home" in content and "María" not in content
    Story.objects.update(consent_scope="internal")
    content = client.get("/evaluation/export/stories.csv").getvalue().decode()
    assert "A mother found" not in content
    Story.objects.update(consent_scope="public")
    login(navigator).post(f"/evaluation/stories/{story.code}/withdraw/")
    client = reauthenticated(manager)
    content = client.get("/evaluation/export/stories.csv").getvalue().decode()
    assert "A mother found" not in content


@time_machine.travel(TODAY)
def test_story_list_has_a_fixed_query_count(
    login, manager, story, django_assert_max_num_queries
):
    client = login(manager)
    # session, user, organization and partnerships (navigation bar), themes for
    # the filter, count, page of stories, excerpts, their themes, session save
    with django_assert_max_num_queries(12):
        response = client.get("/evaluation/stories/")
    assert len(response.context["page"]) == 1
