"""The demo's EHR: ``manage.py fhir_send_example`` sends a Gravity referral to a
running chwlink over HTTP, and it arrives in the CBO's inbox."""

import io

import pytest
from django.core.management import CommandError, call_command

from referrals.fhir import demo_sender
from referrals.models import ApiClient, Referral
from tests.shared_fixtures import fhir_schema_errors, fixture_path


def send(live_server, tmp_path, settings):
    settings.BASE_DIR = tmp_path
    out = io.StringIO()
    call_command("fhir_send_example", url=live_server.url, stdout=out)
    return out.getvalue()


def test_the_igs_example_arrives_in_the_inbox_each_send_a_new_referral(
    live_server,
    transactional_db,
    partnership,
    clinic,
    supervisor,
    login,
    tmp_path,
    settings,
):
    fixture_path("gravity", "examples")
    said = send(live_server, tmp_path, settings)
    referral = Referral.objects.get()
    assert f"Task/{referral.code}" in said and "inbox" in said
    assert referral.partnership == partnership and referral.status == "submitted"
    assert referral.patient.last_name == "ABBAS"
    assert referral.social_needs == ["food-insecurity"]
    assert "ABBAS" in login(supervisor).get("/referrals/inbox/").content.decode()
    # The same key and client again; a new Task identifier, the same patient.
    send(live_server, tmp_path, settings)
    assert Referral.objects.count() == 2 and ApiClient.objects.count() == 1
    assert Referral.objects.values("patient").distinct().count() == 1


def test_without_the_igs_examples_a_composed_referral_is_sent(
    live_server,
    transactional_db,
    partnership,
    clinic,
    tmp_path,
    settings,
    monkeypatch,
):
    monkeypatch.setattr(demo_sender, "IG_EXAMPLES", tmp_path / "nowhere")
    said = send(live_server, tmp_path, settings)
    assert "composed by chwlink" in said
    referral = Referral.objects.get()
    assert (referral.patient.first_name, referral.patient.preferred_language) == (
        "Rosa",
        "es",
    )
    assert referral.social_needs == ["food-insecurity"] and referral.consent_given


def test_the_composed_referral_is_valid_fhir(partnership):
    bundle, _source = demo_sender._composed(), ""
    for resource in bundle:
        assert fhir_schema_errors(resource) == [], resource["resourceType"]


def test_a_chwlink_that_is_not_running_is_named(
    transactional_db, partnership, clinic, tmp_path, settings
):
    settings.BASE_DIR = tmp_path
    with pytest.raises(CommandError, match="did not take the referral"):
        call_command("fhir_send_example", url="http://127.0.0.1:9")
    assert not Referral.objects.exists()


def test_it_never_sends_in_production(db, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("fhir_send_example")
