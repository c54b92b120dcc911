"""Bootstrap 5 form fields built in Python, exactly as crispy-forms prints them.

``{{ form.field|as_crispy_field }}`` renders crispy's ``bootstrap5/field.html`` and
its includes for every field: a worklist's filter bar of ten fields spent 6-11 ms
there on each request, more than the page's SQL. ``field_markup`` prints the same
elements and attributes (a test compares both for every kind of field) for the
fields worklists and forms use: text-like inputs, drop-down lists, text areas and
single checkboxes. Anything else (radio buttons, checkbox lists, files, split
widgets, a form with a crispy ``helper``) still goes through crispy.
"""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms
from django.conf import settings
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

ASTERISK = SafeString('<span class="asteriskField">*</span>')
# Crispy's field.html prints these widgets itself; the others it hands to includes.
HANDED_ON = (forms.MultiWidget, forms.FileInput, forms.RadioSelect)


def field_markup(field) -> SafeString:
    """``field|as_crispy_field``, printed without crispy's templates where it can."""
    widget = field.field.widget
    if (
        getattr(field.form, "helper", None) is not None
        or isinstance(widget, HANDED_ON)
        or field.use_fieldset
    ):
        return as_crispy_field(field)
    if field.is_hidden:
        return SafeString(field)
    invalid = " is-invalid" if field.errors else ""
    if isinstance(widget, forms.CheckboxInput):
        return _checkbox(field, invalid)
    kind = "form-select" if isinstance(widget, forms.Select) else "form-control"
    _add_classes(widget, kind + invalid)
    return format_html(
        '<div id="div_{}" class="mb-3{}">{}{}{}</div>',
        field.auto_id,
        _css_classes(field),
        _label(field),
        SafeString(field),
        _errors_and_help(field),
    )


def _checkbox(field, invalid: str) -> SafeString:
    _add_classes(field.field.widget, "form-check-input" + invalid)
    return format_html(
        '<div class="mb-3"><div id="div_{}" class="form-check{}">{}'
        '<label for="{}" class="form-check-label{}">{}{}</label>{}</div></div>',
        field.auto_id,
        _css_classes(field),
        SafeString(field),
        field.id_for_label,
        _required_class(field),
        field.label,
        _asterisk(field),
        _errors_and_help(field),
    )


def _add_classes(widget, classes: str) -> None:
    """What crispy's ``{% crispy_field %}`` does to the widget before printing it:
    the widget's own class name first (``textinput``), then Bootstrap's classes.
    Like crispy, this changes the form's widget (its copy for this form)."""
    inner = getattr(widget, "widget", widget)
    name = inner.__class__.__name__.lower()
    name = getattr(settings, "CRISPY_CLASS_CONVERTERS", {}).get(name, name)
    css = inner.attrs.get("class", "")
    if not css:
        css = name
    elif name not in css:
        css += f" {name}"
    for extra in classes.split():
        if extra not in css.split():
            css += f" {extra}"
    inner.attrs["class"] = css


def _css_classes(field) -> str:
    css = field.css_classes()
    return f" {css}" if css else ""


def _required_class(field) -> str:
    return " requiredField" if field.field.required else ""


def _asterisk(field) -> str:
    return ASTERISK if field.field.required else ""


def _label(field) -> SafeString:
    if not field.label:
        return SafeString()
    target = field.id_for_label
    return format_html(
        '<label {}class="form-label{}">{}{}</label>',
        format_html('for="{}" ', target) if target else "",
        _required_class(field),
        field.label,
        _asterisk(field),
    )


def _errors_and_help(field) -> SafeString:
    parts = []
    errors = field.errors
    if errors:
        parts.append(
            format_html(
                '<div id="{}_error" class="invalid-feedback">{}</div>',
                _printed(getattr(errors, "field_id", "")),
                format_html_join(
                    "",
                    '<p id="error_{}_{}"><strong>{}</strong></p>',
                    (
                        (number, field.auto_id, error)
                        for number, error in enumerate(errors, start=1)
                    ),
                ),
            )
        )
    if field.help_text:
        target = field.auto_id
        parts.append(
            format_html(
                '<div {}class="form-text">{}</div>',
                format_html('id="{}_helptext" ', target) if target else "",
                # Crispy prints help texts unescaped (``|safe``): they are ours.
                mark_safe(field.help_text),  # noqa: S308
            )
        )
    return SafeString("".join(parts))


def _printed(value) -> str:
    # How a template prints ``{{ value }}``: None is "None".
    return str(value)
