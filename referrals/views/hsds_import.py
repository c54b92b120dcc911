"""A supervisor imports an HSDS file into their CBO's directory: upload, preview
(created, updated, refused with reasons), then import or discard."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chwlink.lib.forms import PlainTextForm
from partners.access import allowed
from referrals.access import supervises
from referrals.hsds import importing
from referrals.models import HsdsImport


class HsdsUploadForm(PlainTextForm):
    file = forms.FileField(
        label=gettext_lazy("HSDS file"),
        help_text=gettext_lazy(
            "HSDS 3.0 JSON (organizations or services) or a tabular data package "
            "(a zip with datapackage.json and the CSV files), up to 10 MB."
        ),
    )


def _upload_of(user, code) -> HsdsImport:
    return get_object_or_404(
        HsdsImport, code=code, directory_owner_id=user.organization_id
    )


@allowed(supervises)
def resource_import(request):
    form = HsdsUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        sent = form.cleaned_data["file"]
        if sent.size > importing.MAX_UPLOAD_BYTES:
            data = b" " * (importing.MAX_UPLOAD_BYTES + 1)
        else:
            data = sent.read()
        try:
            upload = importing.hsds_import_upload(
                actor=request.user, file_name=sent.name, data=data
            )
        except ValidationError as refusal:
            form.add_error("file", refusal)
        else:
            return redirect("referrals:resource-import-preview", code=upload.code)
    return render(request, "referrals/resource_import.html", {"form": form})


@allowed(supervises)
def resource_import_preview(request, code):
    upload = _upload_of(request.user, code)
    plan = None
    if upload.status == HsdsImport.Status.PENDING:
        plan = importing.hsds_import_preview(upload)
    return render(
        request,
        "referrals/resource_import_preview.html",
        {"upload": upload, "plan": plan},
    )


@allowed(supervises)
@require_POST
def resource_import_confirm(request, code):
    upload = _upload_of(request.user, code)
    if request.POST.get("action") == "discard":
        importing.hsds_import_discard(actor=request.user, upload=upload)
        messages.info(request, _("The file was discarded; nothing was imported."))
        return redirect("referrals:resource-import")
    try:
        upload = importing.hsds_import_apply(actor=request.user, upload=upload)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
        return redirect("referrals:resource-import-preview", code=upload.code)
    messages.success(
        request,
        _("Imported: %(created)d created, %(updated)d updated, %(refused)d refused.")
        % {
            "created": upload.created_count,
            "updated": upload.updated_count,
            "refused": upload.refused_count,
        },
    )
    return redirect("referrals:resource-list")
