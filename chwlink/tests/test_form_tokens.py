"""One-time form tokens: a creating service claims the token in its transaction, a
second copy creates nothing and finds the first one's record, a failed save leaves
the token unused, tokens belong to one person and are forgotten after a day."""

import datetime
import uuid

import pytest
from django.template import Context, Template
from django.utils import timezone

from chwlink.lib.models import FormSubmission
from chwlink.lib.submissions import (
    AlreadySubmitted,
    FormTokenForm,
    form_submissions_expire,
    posted_form_token,
)
from evaluation.services import stories
from partners.tests.factories import UserFactory
from referrals.models import ReferralEvent
from referrals.services import workflow
from referrals.services.workflow import WorkflowError
from referrals.tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def message(referral, actor, text, token):
    return workflow.referral_message_add(
        referral=referral, actor=actor, text=text, form_token=token
    )


def test_a_second_copy_of_a_form_creates_nothing_and_finds_the_first(
    partnership, supervisor
):
    referral = ReferralFactory(partnership=partnership)
    token = uuid.uuid4()
    message(referral, supervisor, "We called her.", token)
    with pytest.raises(AlreadySubmitted):
        message(referral, supervisor, "We called her.", token)
    assert referral.events.filter(kind=ReferralEvent.Kind.MESSAGE).count() == 1


def test_the_first_copy_leaves_the_code_of_what_it_made(manager):
    token = uuid.uuid4()
    theme = stories.theme_save(actor=manager, name="Housing", form_token=token)
    with pytest.raises(AlreadySubmitted) as second:
        stories.theme_save(actor=manager, name="Housing", form_token=token)
    assert second.value.result == str(theme.code)


def test_a_refused_save_leaves_its_token_unused(partnership, supervisor):
    referral = ReferralFactory(partnership=partnership)
    token = uuid.uuid4()
    with pytest.raises(WorkflowError):
        message(referral, supervisor, "   ", token)
    assert not FormSubmission.objects.exists()
    message(referral, supervisor, "Now with words.", token)
    assert FormSubmission.objects.get().token == token


def test_a_token_is_claimed_per_person(partnership, supervisor):
    referral = ReferralFactory(partnership=partnership)
    colleague = UserFactory(role="supervisor", organization=partnership.cbo)
    token = uuid.uuid4()
    message(referral, supervisor, "From me.", token)
    message(referral, colleague, "From my colleague.", token)
    assert referral.events.filter(kind=ReferralEvent.Kind.MESSAGE).count() == 2


def test_without_a_token_every_copy_is_saved(partnership, supervisor):
    referral = ReferralFactory(partnership=partnership)
    message(referral, supervisor, "Once.", None)
    message(referral, supervisor, "Once.", None)
    assert referral.events.filter(kind=ReferralEvent.Kind.MESSAGE).count() == 2
    assert not FormSubmission.objects.exists()


def test_tokens_older_than_a_day_are_forgotten(supervisor):
    now = timezone.now()
    old = FormSubmission.objects.create(
        user=supervisor, token=uuid.uuid4(), created=now - datetime.timedelta(hours=25)
    )
    recent = FormSubmission.objects.create(
        user=supervisor, token=uuid.uuid4(), created=now - datetime.timedelta(hours=23)
    )
    assert form_submissions_expire(now=now) == 1
    assert list(FormSubmission.objects.all()) == [recent]
    assert not FormSubmission.objects.filter(pk=old.pk).exists()


def test_each_shown_form_draws_a_new_token_and_a_resent_one_keeps_its_own():
    first, second = FormTokenForm()["form_token"], FormTokenForm()["form_token"]
    assert first.value() != second.value()
    token = uuid.uuid4()
    bound = FormTokenForm({"form_token": str(token)})
    assert f'value="{token}"' in str(bound["form_token"])
    assert bound.is_valid() and bound.one_time_token == token


def test_the_template_tag_and_the_posted_token_agree():
    html = Template("{% load form_tokens %}{% form_token %}").render(Context())
    assert html.startswith('<input type="hidden" name="form_token" value="')
    token = html.split('value="')[1].split('"')[0]
    assert posted_form_token({"form_token": token}) == uuid.UUID(token)
    assert posted_form_token({"form_token": "not-a-token"}) is None
    assert posted_form_token({}) is None
