"""Stories: recording with consent, de-identification, withdrawal, theme coding."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chwlink.lib.pagination import page_of
from chwlink.lib.submissions import AlreadySubmitted, already_submitted
from evaluation import selectors
from evaluation.access import manages_consent, manages_program, reads_stories
from evaluation.forms import (
    CodeForm,
    DeidentifyForm,
    StoryFilterForm,
    StoryForm,
    ThemeForm,
)
from evaluation.services import stories as story_services
from partners.access import allowed
from referrals.access import navigates
from referrals.selectors import patient_referrals_for_user

PAGE_SIZE = 25


def _add_errors(form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


@allowed(reads_stories)
def story_list(request):
    themes = selectors.theme_list_for_user(request.user)
    form = StoryFilterForm(request.GET or None, themes=themes)
    stories = selectors.story_list_for_user(request.user, filters=form.filters())
    # count, page of stories, their excerpts with themes
    page = page_of(stories, PAGE_SIZE, request.GET.get("page"))
    request.audit_shown = [story.code for story in page]
    return render(
        request,
        "evaluation/story_list.html",
        {"form": form, "page": page, "shared_only": manages_program(request.user)},
    )


@allowed(navigates)
def story_new(request, code):
    patient = selectors.evaluation_patient_get_for_user(request.user, code)
    referrals = patient_referrals_for_user(request.user, patient)
    initial = {"told_on": timezone.localdate(), "language": patient.preferred_language}
    form = StoryForm(request.POST or None, initial=initial, referrals=referrals)
    if request.method == "POST" and form.is_valid():
        try:
            story = story_services.story_record(
                actor=request.user, patient=patient, **form.cleaned_data
            )
        except AlreadySubmitted as first:
            return already_submitted(
                request, "evaluation:story-detail", code=first.result
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The story was saved."))
            return redirect("evaluation:story-detail", code=story.code)
    return render(
        request, "evaluation/story_form.html", {"form": form, "patient": patient}
    )


@allowed(reads_stories)
def story_detail(request, code):
    story = selectors.story_get_for_user(request.user, code)
    context = {
        "story": story,
        "manages_consent": manages_consent(request.user),
        "codes_stories": manages_program(request.user),
    }
    return render(request, "evaluation/story_detail.html", context)


@require_POST
@allowed(manages_consent)
def story_withdraw(request, code):
    story = selectors.story_get_for_user(request.user, code)
    try:
        story_services.story_withdraw(actor=request.user, story=story)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Consent withdrawn: the story is no longer shared anywhere.")
        )
    return redirect("evaluation:story-detail", code=story.code)


@allowed(manages_consent)
def story_deidentify(request, code):
    story = selectors.story_get_for_user(request.user, code)
    form = DeidentifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            story_services.story_deidentify(
                actor=request.user, story=story, **form.cleaned_data
            )
        except AlreadySubmitted:
            return already_submitted(
                request, "evaluation:story-detail", code=story.code
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The de-identified version was reviewed."))
            return redirect("evaluation:story-detail", code=story.code)
    context = {"story": story, "form": form}
    return render(request, "evaluation/story_deidentify.html", context)


@allowed(manages_program)
def story_code(request, code):
    story = selectors.story_get_for_user(request.user, code)
    themes = selectors.theme_list_for_user(request.user).filter(is_active=True)
    form = CodeForm(request.POST or None, themes=themes)
    if request.method == "POST" and form.is_valid():
        try:
            story_services.story_code(
                actor=request.user, story=story, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error("excerpt", error)
        else:
            messages.success(request, _("The excerpt was coded."))
            return redirect("evaluation:story-detail", code=story.code)
    return render(request, "evaluation/story_code.html", {"story": story, "form": form})


@allowed(manages_program)
def theme_list(request):
    form = ThemeForm(request.POST or None, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        try:
            story_services.theme_save(actor=request.user, **form.cleaned_data)
        except AlreadySubmitted:
            return already_submitted(request, "evaluation:theme-list")
        except ValidationError as error:
            form.add_error("name", error)
        else:
            messages.success(request, _("The theme was added."))
            return redirect("evaluation:theme-list")
    themes = selectors.theme_list_for_user(request.user)
    return render(
        request, "evaluation/theme_list.html", {"form": form, "themes": themes}
    )


@allowed(manages_program)
def theme_edit(request, code):
    theme = selectors.theme_get_for_user(request.user, code)
    initial = {
        "name": theme.name,
        "description": theme.description,
        "is_active": theme.is_active,
    }
    form = ThemeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            story_services.theme_save(
                actor=request.user, theme=theme, **form.cleaned_data
            )
        except AlreadySubmitted:
            return already_submitted(request, "evaluation:theme-list")
        except ValidationError as error:
            form.add_error("name", error)
        else:
            messages.success(request, _("The theme was saved."))
            return redirect("evaluation:theme-list")
    return render(request, "evaluation/theme_form.html", {"form": form, "theme": theme})
