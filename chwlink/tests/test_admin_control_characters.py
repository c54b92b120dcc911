"""The Django admin refuses control characters like every other form of chwlink."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from chwlink.lib.forms import PlainTextMixin
from partners.models import Organization, User

pytestmark = pytest.mark.django_db


def _admin_request(administrator):
    request = RequestFactory().get("/admin/")
    request.user = administrator
    return request


def test_every_admin_form_and_inline_refuses_control_characters(administrator):
    request = _admin_request(administrator)
    lax = []
    for model, model_admin in admin.site._registry.items():
        forms = [model_admin.get_form(request)]
        if model is User:
            forms.append(model_admin.get_form(request, obj=administrator))
        forms += [
            inline.get_formset(request).form
            for inline in model_admin.get_inline_instances(request)
        ]
        lax += [
            f"{model.__name__}: {form.__name__}"
            for form in forms
            if not issubclass(form, PlainTextMixin)
        ]
    assert lax == []


def test_an_escape_character_in_an_admin_field_is_refused_beside_it(
    client, administrator
):
    client.force_login(administrator)
    url = reverse("admin:partners_organization_add")
    data = {
        "name": "Nueva\x1bOrganización",
        "kind": Organization.Kind.CBO,
        "phone": "",
        "address": "",
        "sites-TOTAL_FORMS": "0",
        "sites-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "control characters" in str(form.errors["name"])
    assert form["name"].value() == "Nueva\x1bOrganización"
    assert not Organization.objects.filter(name__startswith="Nueva").exists()


def test_a_person_added_in_the_admin_is_checked_too(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("admin:partners_user_add"),
        {
            "email": "new@home.test",
            "first_name": "Tab\there",
            "last_name": "Person",
            "organization": administrator.organization_id,
            "role": User.Role.CLINIC_STAFF,
            "password1": "a long enough passphrase 42",
            "password2": "a long enough passphrase 42",
        },
    )
    assert response.status_code == 200
    assert "first_name" in response.context["adminform"].form.errors
    assert not User.objects.filter(email="new@home.test").exists()
