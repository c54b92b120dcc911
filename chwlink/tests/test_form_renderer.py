"""Drop-down lists built in Python print exactly what Django's templates print."""

import datetime
from decimal import Decimal

import pytest
from crispy_forms.utils import render_crispy_form
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from chwlink.lib.form_renderer import FormRenderer
from referrals.forms.referral import InboxFilterForm

CHOICES = [
    ("", "Any"),
    ("a&b", 'Tom & "Jerry" <script>'),
    ("safe", mark_safe("<b>bold</b>")),
    ("lazy", gettext_lazy("Clinic")),
    (
        "Group <1>",
        [
            (1, 1234567),
            (Decimal("2.5"), Decimal("2.50")),
            ("d", datetime.date(2026, 1, 2)),
        ],
    ),
    (None, "None as a value"),
]


def _both(widget, name, value, attrs=None):
    return (
        widget.render(name, value, attrs=attrs, renderer=DjangoTemplates()),
        widget.render(name, value, attrs=attrs, renderer=FormRenderer()),
    )


@pytest.mark.parametrize(
    "widget, value",
    [
        (forms.Select(choices=CHOICES), "a&b"),
        (forms.Select(choices=CHOICES), 1),
        (forms.Select(choices=CHOICES), None),
        (forms.SelectMultiple(choices=CHOICES), ["safe", "d", "2.5"]),
        (forms.NullBooleanSelect(), True),
        (forms.Select(choices=[]), ""),
    ],
)
@pytest.mark.parametrize("language", ["en", "es"])
def test_a_select_prints_what_the_django_template_prints(widget, value, language):
    attrs = {
        "class": "form-select",
        "required": True,
        "disabled": False,
        "data-x": 'a "quoted" <v>',
        "data-none": None,
        "data-n": 3,
    }
    with translation.override(language):
        template, python = _both(widget, 'name"<>', value, attrs)
    assert python == template
    assert "<option" in python or not widget.choices


def test_an_option_with_a_template_of_its_own_still_uses_it():
    class Radioish(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    widget = Radioish(choices=[("x", "X")])
    template, python = _both(widget, "f", "x")
    assert python == template
    assert "<input" in python and "<option" not in python


@pytest.mark.django_db
def test_a_whole_filter_form_renders_the_same(partnership):
    clinics = partnership.clinics.all()
    form = InboxFilterForm({"language": "es", "need": "nonsense"}, clinics=clinics)
    form.is_valid()
    form.renderer = DjangoTemplates()
    template = render_crispy_form(form)
    form.renderer = FormRenderer()
    python = render_crispy_form(form)
    assert python == template
    assert 'class="select form-select' in python or "form-select" in python
    assert 'value="es" selected' in python
