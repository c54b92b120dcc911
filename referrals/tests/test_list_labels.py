"""What list rows print for a status and for needs, in the reader's language."""

from django.utils import translation

from referrals.choices import SocialNeed
from referrals.models import Pathway, Referral
from referrals.templatetags.referral_tags import need_labels, status_badge
from referrals.templatetags.work_tags import pathway_badge


def test_a_waiting_referral_shows_a_yellow_badge_with_dark_text():
    referral = Referral(status=Referral.Status.SUBMITTED)
    assert status_badge(referral) == (
        '<span class="badge badge-status bg-warning text-dark">Submitted</span>'
    )


def test_a_closed_referral_shows_a_green_badge_with_light_text():
    referral = Referral(status=Referral.Status.COMPLETED)
    html = status_badge(referral)
    assert 'class="badge badge-status bg-success"' in html
    assert referral.get_status_display() in html


def test_badges_speak_the_readers_language():
    referral = Referral(status=Referral.Status.SUBMITTED)
    pathway = Pathway(status=Pathway.Status.COMPLETED)
    with translation.override("es"):
        spanish = status_badge(referral), pathway_badge(pathway)
    assert "Submitted" not in spanish[0]
    assert referral.get_status_display() not in spanish[0]
    assert 'bg-warning text-dark">' in spanish[1]
    assert "Completed" not in spanish[1]


def test_need_labels_follow_the_active_language_each_time():
    needs = [SocialNeed.FOOD_INSECURITY.value, "unknown-code"]
    english = need_labels(needs)
    with translation.override("es"):
        spanish = need_labels(needs)
    assert english == [str(SocialNeed.FOOD_INSECURITY.label), "unknown-code"]
    assert spanish[0] != english[0] and spanish[1] == "unknown-code"
    assert need_labels(needs) == english
    assert need_labels(None) == []
