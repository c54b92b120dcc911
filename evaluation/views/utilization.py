"""Utilization data: import an extract (preview, then confirm) and edit by hand."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chwlink.lib import patients_shown
from chwlink.lib.pagination import page_of
from chwlink.lib.submissions import AlreadySubmitted, already_submitted
from evaluation import selectors
from evaluation.access import manages_program
from evaluation.forms import UtilizationForm, UtilizationUploadForm
from evaluation.models import UtilizationImport
from evaluation.services import utilization as services
from partners.access import allowed

PAGE_SIZE = 25
FIELDS = [*services.COUNTS, *services.OPTIONAL]


@allowed(manages_program)
def utilization_list(request):
    mrn = request.GET.get("mrn", "").strip()
    records = selectors.utilization_list_for_user(request.user, mrn=mrn)
    # count, page of records with their patients
    page = page_of(records, PAGE_SIZE, request.GET.get("page"))
    request.audit_shown = [record.code for record in page]
    context = {"page": page, "mrn": mrn}
    return render(request, "evaluation/utilization_list.html", context)


@allowed(manages_program)
def utilization_import(request):
    form = UtilizationUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            upload = services.utilization_import_upload(
                actor=request.user,
                file_name=request.FILES["file"].name,
                content=form.cleaned_data["file"],
                form_token=form.one_time_token,
            )
        except AlreadySubmitted as first:
            return already_submitted(
                request, "evaluation:utilization-import-preview", code=first.result
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect("evaluation:utilization-import-preview", code=upload.code)
    return render(request, "evaluation/utilization_import.html", {"form": form})


@allowed(manages_program)
def utilization_import_preview(request, code):
    upload = selectors.utilization_import_get_for_user(request.user, code)
    preview = None
    if upload.status == UtilizationImport.Status.PENDING:
        preview = services.utilization_parse(
            health_system_id=upload.health_system_id, content=upload.content
        )
        patients_shown.note_ids(
            row["patient_id"] for row in preview["create"] + preview["update"]
        )
    context = {"upload": upload, "preview": preview}
    return render(request, "evaluation/utilization_preview.html", context)


@require_POST
@allowed(manages_program)
def utilization_import_confirm(request, code):
    upload = selectors.utilization_import_get_for_user(request.user, code)
    if request.POST.get("action") == "discard":
        services.utilization_import_discard(actor=request.user, upload=upload)
        messages.info(request, _("The file was discarded; nothing was imported."))
        return redirect("evaluation:utilization-import")
    try:
        upload = services.utilization_import_confirm(actor=request.user, upload=upload)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
        return redirect("evaluation:utilization-import-preview", code=upload.code)
    messages.success(
        request,
        _("Imported: %(created)d months added, %(updated)d updated.")
        % {"created": upload.created_count, "updated": upload.updated_count},
    )
    return redirect("evaluation:utilization-list")


def _save(request, form, record=None):
    """The saved record; None, with the refusal on the form, if refused. A copy of a
    form already sent raises AlreadySubmitted."""
    patient = selectors.utilization_patient_by_mrn(
        request.user, form.cleaned_data["mrn"]
    )
    if patient is None:
        form.add_error("mrn", _("No patient of your health system has this number."))
        return None
    try:
        return services.utilization_save(
            actor=request.user,
            patient=patient,
            values=form.cleaned_data,
            record=record,
            form_token=form.one_time_token,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None


@allowed(manages_program)
def utilization_new(request):
    form = UtilizationForm(request.POST or None)
    try:
        saved = request.method == "POST" and form.is_valid() and _save(request, form)
    except AlreadySubmitted:
        return already_submitted(request, "evaluation:utilization-list")
    if saved:
        messages.success(request, _("The month was saved."))
        return redirect("evaluation:utilization-list")
    return render(request, "evaluation/utilization_form.html", {"form": form})


@allowed(manages_program)
def utilization_edit(request, code):
    record = selectors.utilization_get_for_user(request.user, code)
    initial = {name: getattr(record, name) for name in FIELDS}
    initial |= {"mrn": record.patient.mrn, "period": record.period.strftime("%Y-%m")}
    form = UtilizationForm(request.POST or None, initial=initial)
    try:
        saved = (
            request.method == "POST"
            and form.is_valid()
            and _save(request, form, record)
        )
    except AlreadySubmitted:
        return already_submitted(request, "evaluation:utilization-list")
    if saved:
        messages.success(request, _("The month was saved."))
        return redirect("evaluation:utilization-list")
    context = {"form": form, "record": record}
    return render(request, "evaluation/utilization_form.html", context)
