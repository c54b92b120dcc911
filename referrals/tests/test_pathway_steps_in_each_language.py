"""Default pathway steps read in the reader's language, whoever opened the
pathway; a step a person typed reads as typed; older steps are given their key."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from referrals.models import PathwayStep
from referrals.services import pathways
from referrals.tests.states import assigned_referral

FIRST_EN = "Confirm the food need with the patient"
FIRST_ES = "Confirmar la necesidad de alimentos con el paciente"


@pytest.fixture
def pathway(supervisor, navigator, clinic_user):
    referral = assigned_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )
    return pathways.pathway_open(
        referral=referral, actor=navigator, need="food-insecurity", goal="Food"
    )


def read_in(client, language, path):
    client.post(reverse("partners:language"), {"language": language, "next": "/"})
    return client.get(path).content.decode()


def test_steps_opened_in_spanish_read_in_english_for_an_english_reader(
    login, supervisor, navigator, clinic_user
):
    from django.utils import translation

    referral = assigned_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )
    with translation.override("es"):
        pathway = pathways.pathway_open(
            referral=referral, actor=navigator, need="food-insecurity", goal="Comida"
        )
    path = f"/referrals/pathways/{pathway.code}/"
    client = login(supervisor)
    english = read_in(client, "en", path)
    assert FIRST_EN in english and FIRST_ES not in english
    spanish = read_in(client, "es", path)
    assert FIRST_ES in spanish and FIRST_EN not in spanish


def test_a_typed_step_reads_as_typed_in_both_languages(login, navigator, pathway):
    pathways.pathway_step_add(
        pathway=pathway, actor=navigator, title="Llamar a la tía de Rosa"
    )
    path = f"/referrals/pathways/{pathway.code}/"
    client = login(navigator)
    assert "Llamar a la tía de Rosa" in read_in(client, "en", path)
    assert "Llamar a la tía de Rosa" in read_in(client, "es", path)


def test_older_steps_matching_a_default_get_its_key(pathway):
    PathwayStep.objects.filter(pathway=pathway).update(key="")
    steps = list(pathway.steps.order_by("position"))
    steps[0].title = FIRST_ES  # opened by a Spanish reader before keys
    steps[0].save()
    PathwayStep.objects.create(pathway=pathway, position=9, title="Call the aunt")
    backfill = importlib.import_module(
        "referrals.migrations.0022_pathway_step_key_backfill"
    ).backfill
    backfill(apps, None)
    keys = dict(pathway.steps.values_list("title", "key"))
    assert keys[FIRST_ES] == "food_security.1"
    assert keys[steps[1].title] == "food_security.2"
    assert keys["Call the aunt"] == ""
