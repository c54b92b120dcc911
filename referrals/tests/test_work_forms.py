"""Forms for pathways refuse bad input beside the field and fill sensible defaults."""

from referrals.forms.work import (
    PathwayCloseForm,
    PathwayOpenForm,
    PathwayReviewForm,
    PathwayStepForm,
    ResourceLinkForm,
    ResourceSearchForm,
)


def open_form(data, open_kinds=frozenset()):
    return PathwayOpenForm(
        data, referral_needs=["food-insecurity"], open_kinds=set(open_kinds)
    )


def test_blank_pathway_kind_becomes_the_usual_one_for_the_need():
    form = open_form({"need": "homelessness", "kind": "", "goal": "Stable housing"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["kind"] == "housing"


def test_need_choices_list_the_referrals_needs_first_with_their_pathway():
    choices = open_form(None).fields["need"].choices
    group, needs = choices[0]
    assert str(group) == "Needs on the referral"
    assert [(value, str(label)) for value, label in needs] == [
        ("food-insecurity", "Food insecurity → Food security")
    ]


def test_unknown_need_or_kind_and_missing_goal_are_refused():
    form = open_form({"need": "aliens", "kind": "space_travel", "goal": ""})
    assert not form.is_valid()
    assert set(form.errors) == {"need", "kind", "goal"}


def test_an_open_kind_is_refused_beside_the_kind():
    form = open_form(
        {"need": "food-insecurity", "kind": "", "goal": "Food"}, {"food_security"}
    )
    assert not form.is_valid()
    assert "already open" in form.errors["kind"][0]


def test_goal_longer_than_300_characters_is_refused():
    form = open_form({"need": "food-insecurity", "kind": "", "goal": "x" * 301})
    assert "goal" in form.errors


def test_incomplete_closure_needs_a_reason():
    form = PathwayCloseForm({"outcome": "incomplete", "note": "  "})
    assert not form.is_valid()
    assert "note" in form.errors
    assert PathwayCloseForm({"outcome": "completed", "note": ""}).is_valid()
    assert "outcome" in PathwayCloseForm({"outcome": "maybe"}).errors


def test_returning_needs_a_note_approving_does_not():
    assert "note" in PathwayReviewForm({"decision": "return", "note": ""}).errors
    assert PathwayReviewForm({"decision": "approve", "note": ""}).is_valid()
    assert "decision" in PathwayReviewForm({"decision": "delete"}).errors


def test_step_title_is_required_and_short():
    assert "title" in PathwayStepForm({"title": ""}).errors
    assert "title" in PathwayStepForm({"title": "x" * 201}).errors


def test_resource_link_needs_a_service_code():
    assert "service" in ResourceLinkForm({"service": "not-a-uuid"}).errors


def test_resource_search_defaults_to_the_pathway_need_and_patient_language():
    form = ResourceSearchForm({}, need="food-insecurity", language="es")
    assert form.filters() == {"need": "food-insecurity", "language": "es"}
    page_only = ResourceSearchForm({"page": "2"}, need="food-insecurity", language="es")
    assert page_only.filters()["language"] == "es"
    chosen = ResourceSearchForm(
        {"need": "", "language": "", "q": "pantry"},
        need="food-insecurity",
        language="es",
    )
    assert chosen.filters() == {"q": "pantry"}
