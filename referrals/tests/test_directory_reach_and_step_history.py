"""The directory and the pathway's resource picker say how to reach a service;
capacity reads as a status, not a warning; a step ticked or a resource linked is
on the history, and a tick can update the page in place."""

import pytest
from django.urls import reverse

from referrals.demo_directory import seed_directory
from referrals.models import Pathway
from referrals.services import pathways
from referrals.tests.states import assigned_referral

Event = Pathway.Event


@pytest.fixture
def directory(partnership):
    return {service.name: service for service in seed_directory(partnership.cbo)}


@pytest.fixture
def pathway(supervisor, navigator, clinic_user):
    referral = assigned_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )
    return pathways.pathway_open(
        referral=referral, actor=navigator, need="food-insecurity", goal="Food"
    )


def pathway_url(pathway, suffix=""):
    return f"/referrals/pathways/{pathway.code}/{suffix}"


def test_the_directory_lists_phone_and_address(login, clinic_user, directory):
    page = login(clinic_user).get(reverse("referrals:resource-list")).content.decode()
    pantry = page[page.index("Community food pantry") :]
    pantry = pantry[: pantry.index("</article>")]
    assert pantry.count('href="tel:503-555-0142"') == 1, "the phone, once"
    assert "9205 SE Foster Rd, Portland OR 97266" in pantry


def test_taking_new_clients_is_a_plain_status_not_a_warning(
    login, clinic_user, directory
):
    page = login(clinic_user).get(reverse("referrals:resource-list")).content.decode()
    note = page[: page.index("Taking new clients")]
    note = note[note.rindex("<p") :]
    assert "warning" not in note


def test_the_resource_picker_shows_phone_and_address(
    login, navigator, directory, pathway
):
    page = login(navigator).get(pathway_url(pathway)).content.decode()
    picker = page[page.index('id="link-heading"') :]
    assert 'href="tel:503-555-0142"' in picker
    assert "9205 SE Foster Rd" in picker


def test_ticking_a_step_and_linking_a_resource_are_on_the_history(
    login, navigator, directory, pathway
):
    step = pathway.steps.first()
    pathways.pathway_step_toggle(pathway=pathway, actor=navigator, step=step)
    pathways.pathway_resource_link(
        pathway=pathway, actor=navigator, service=directory["Community food pantry"]
    )
    codes = list(pathway.events.values_list("reason_code", "reason"))
    assert (Event.STEP_DONE, step.title) in codes
    assert (Event.RESOURCE_LINKED, "Community food pantry") in codes
    page = login(navigator).get(pathway_url(pathway)).content.decode()
    history = page[page.index('id="pathway-history-heading"') :]
    assert "marked a step of the Food security pathway done:" in history
    assert "linked a community resource to the Food security pathway:" in history
    referral_page = (
        login(navigator)
        .get(reverse("referrals:referral-detail", args=[pathway.referral.code]))
        .content.decode()
    )
    assert "marked a step of the Food security pathway done:" in referral_page


def test_unticking_is_on_the_history_too(navigator, pathway):
    step = pathway.steps.first()
    pathways.pathway_step_toggle(pathway=pathway, actor=navigator, step=step)
    pathways.pathway_step_toggle(pathway=pathway, actor=navigator, step=step)
    assert list(pathway.events.values_list("reason_code", flat=True))[-2:] == [
        Event.STEP_DONE,
        Event.STEP_UNDONE,
    ]


def test_a_tick_asked_by_the_page_script_answers_with_the_step_not_a_redirect(
    login, navigator, pathway
):
    step = pathway.steps.first()
    total = pathway.steps.count()
    response = login(navigator).post(
        pathway_url(pathway, f"steps/{step.pk}/toggle/"),
        headers={"X-CHWLink-Fragment": "step"},
    )
    assert response.status_code == 200
    data = response.json()
    assert f'id="step-{step.pk}"' in data["step"] and "Mark as not done" in data["step"]
    assert data["summary"] == f"1 of {total} done"
