import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from chwlink.lib.admin import LargeTableAdmin
from chwlink.lib.forms import PlainTextForm, PlainTextModelForm
from partners.access import is_administrator
from referrals import patient_search
from referrals.fhir.auth import api_client_register, jwks_problem, private_key_problem
from referrals.hsds.keys import hsds_key_create, hsds_key_revoke
from referrals.models import (
    ApiClient,
    HsdsApiKey,
    PartnershipTexting,
    Patient,
    Referral,
    ReferralEvent,
    ScreeningInstrument,
)
from referrals.screening.definition import InstrumentInvalid, instrument_from_text
from referrals.screening.selectors import instrument_of
from referrals.screening.services import ScreeningRefused, instrument_load


class PatientNameSearch:
    """The admin's search box finds patients as every other search does
    (``referrals.patient_search``: names blind to accents and case), or by the
    exact medical record number."""

    patient_prefix = ""

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        prefix = self.patient_prefix
        condition = patient_search.name_has_words(search_term, prefix=prefix) | Q(
            **{f"{prefix}mrn__iexact": search_term.strip()}
        )
        return queryset.filter(condition), False


@admin.register(Patient)
class PatientAdmin(PatientNameSearch, LargeTableAdmin):
    list_display = ["last_name", "first_name", "date_of_birth", "mrn", "health_system"]
    list_filter = ["health_system", "preferred_language", "do_not_contact"]
    search_fields = ["last_name", "first_name", "mrn"]
    list_select_related = ["health_system"]
    readonly_fields = ["code", "created", "updated", "created_by"]


class ReferralEventInline(admin.TabularInline):
    model = ReferralEvent
    extra = 0
    can_delete = False
    fields = ["created", "kind", "actor", "from_status", "to_status", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Referral)
class ReferralAdmin(PatientNameSearch, LargeTableAdmin):
    patient_prefix = "patient__"
    list_display = ["short_code", "patient", "status", "clinic", "navigator", "updated"]
    list_filter = ["status", "urgency", "partnership", "clinic"]
    search_fields = ["patient__last_name", "patient__first_name", "patient__mrn"]
    list_select_related = ["patient", "clinic", "navigator"]
    readonly_fields = [
        "code",
        "status",
        "navigator",
        "submitted_at",
        "accepted_at",
        "assigned_at",
        "first_contact_at",
        "last_contact_at",
        "closed_at",
        "status_changed_at",
    ]
    inlines = [ReferralEventInline]


class ApiClientForm(PlainTextModelForm):
    jwks = forms.JSONField(
        required=False,
        label=_("public keys (JWKS)"),
        help_text=_(
            'The system\'s JSON Web Key Set: {"keys": [...]}, public keys only, '
            "RS384 or ES384."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    class Meta:
        model = ApiClient
        fields = [
            "name", "clinic", "jwks", "scopes", "is_active", "server_url",
            "server_token_url", "server_client_id", "server_private_key",
            "server_key_id", "server_owner", "server_partnership",
        ]  # fmt: skip
        widgets = {"server_private_key": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The private key is never shown again; leaving the box empty keeps it.
        self.initial["server_private_key"] = ""
        if self.instance.server_private_key:
            self.fields["server_private_key"].help_text = _(
                "A key is stored. Leave empty to keep it, or paste a new one."
            )

    def clean_jwks(self):
        jwks = self.cleaned_data["jwks"]
        if not jwks or jwks == {"keys": []}:
            # A server chwlink only polls never calls chwlink: it needs no keys.
            return {"keys": []}
        problem = jwks_problem(jwks)
        if problem:
            raise forms.ValidationError(problem)
        return jwks

    def clean_server_private_key(self):
        pem = self.cleaned_data["server_private_key"].strip()
        if not pem:
            return self.instance.server_private_key
        problem = private_key_problem(pem) if pem else ""
        if problem:
            raise forms.ValidationError(problem)
        return pem

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("server_url"):
            for name in POLLING_FIELDS:
                if not cleaned.get(name):
                    self.add_error(
                        name, _("Needed to poll the EHR's server (its URL is set).")
                    )
            partnership = cleaned.get("server_partnership")
            clinic = cleaned.get("clinic")
            if (
                partnership
                and clinic
                and (partnership.health_system_id != clinic.organization_id)
            ):
                self.add_error(
                    "server_partnership",
                    _("Choose a partnership of this clinic's health system."),
                )
        return cleaned


POLLING_FIELDS = [
    "server_token_url", "server_client_id", "server_private_key", "server_owner",
    "server_partnership",
]  # fmt: skip


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Administrators register a clinic's EHR: the client id it signs with is
    shown once saved; its account appears among the clinic's people."""

    form = ApiClientForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "clinic", "client_id", "is_active", "created"]
    list_filter = ["is_active"]
    list_select_related = ["clinic"]
    search_fields = ["name", "client_id"]
    readonly_fields = [
        "client_id", "account", "created", "updated", "synced_at", "sync_error",
    ]  # fmt: skip

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        registered = api_client_register(
            name=obj.name,
            clinic=obj.clinic,
            jwks=obj.jwks,
            scopes=obj.scopes,
        )
        obj.pk, obj.client_id, obj.account = (
            registered.pk,
            registered.client_id,
            registered.account,
        )
        obj.code, obj.created = registered.code, registered.created
        obj._state.adding = False
        # The polling settings, if any, on the row just registered.
        obj.save()


@admin.register(HsdsApiKey)
class HsdsApiKeyAdmin(admin.ModelAdmin):
    """Administrators make an organization's HSDS API key: the key is shown once,
    on saving; only its digest is kept. Keys are revoked, never deleted."""

    fields = ["organization", "name", "prefix", "created_by", "revoked_at"]
    list_display = ["name", "organization", "prefix", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    list_select_related = ["organization"]
    readonly_fields = ["prefix", "created_by", "revoked_at"]
    actions = ["revoke"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name", "updated"])
            return
        made, raw = hsds_key_create(
            actor=request.user, organization=obj.organization, name=obj.name
        )
        obj.pk, obj.code, obj.prefix, obj.digest = (
            made.pk,
            made.code,
            made.prefix,
            made.digest,
        )
        obj.created, obj._state.adding = made.created, False
        self.message_user(
            request,
            _("The key, shown only now: %(key)s") % {"key": raw},
            messages.WARNING,
        )

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        for key in queryset.filter(revoked_at__isnull=True):
            hsds_key_revoke(actor=request.user, key=key)


@admin.register(PartnershipTexting)
class PartnershipTextingAdmin(admin.ModelAdmin):
    """A partnership's sending number, hours and automatic texts."""

    list_display = ["partnership", "number", "enabled", "send_from", "send_until"]
    list_select_related = ["partnership"]


class InstrumentFileForm(PlainTextForm):
    """A screening instrument file in chwlink's format, checked before it is
    loaded: what is wrong in the file is said beside the field."""

    file = forms.FileField(
        label=_("Instrument file"),
        help_text=_(
            "A JSON file in the chwlink-screening-instrument/1 format (see the "
            "README): a new instrument, a new version or a translation."
        ),
        error_messages={"required": _("Choose the instrument file to load.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from None
        try:
            instrument_from_text(text)
        except InstrumentInvalid as error:
            raise forms.ValidationError(str(error)) from None
        return json.loads(text)


@admin.register(ScreeningInstrument)
class ScreeningInstrumentAdmin(admin.ModelAdmin):
    """The instruments loaded, each version with whether it is offered; an
    administrator loads another from a file ("Load an instrument file"), through
    the same service as ``manage.py screening_instrument_load``."""

    change_list_template = "admin/referrals/screeninginstrument/change_list.html"
    list_display = ["title", "code", "version", "active", "loaded_by", "created"]
    list_filter = ["code", "active"]
    list_select_related = ["loaded_by"]
    fields = ["code", "version", "title", "active", "loaded_by", "created"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        load = path(
            "load/",
            self.admin_site.admin_view(self.load_view),
            name="referrals_screeninginstrument_load",
        )
        return [load, *super().get_urls()]

    def load_view(self, request):
        if not is_administrator(request.user):
            raise PermissionDenied
        posted = request.method == "POST"
        form = InstrumentFileForm(*((request.POST, request.FILES) if posted else ()))
        if posted and form.is_valid():
            try:
                row = instrument_load(
                    data=form.cleaned_data["file"], actor=request.user
                )
            except ScreeningRefused as refusal:
                form.add_error("file", str(refusal))
            else:
                languages = ", ".join(instrument_of(row).languages)
                self.message_user(
                    request,
                    _("Loaded %(instrument)s (languages: %(languages)s).")
                    % {"instrument": row, "languages": languages},
                    messages.SUCCESS,
                )
                return redirect("admin:referrals_screeninginstrument_changelist")
        context = self.admin_site.each_context(request) | {
            "title": _("Load an instrument file"),
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(
            request, "admin/referrals/screeninginstrument/load.html", context
        )
