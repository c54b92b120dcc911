"""The community resource directory: everyone in the partnership searches it,
the CBO's supervisors keep it current."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chwlink.lib.pagination import page_of
from chwlink.lib.submissions import AlreadySubmitted, already_submitted
from partners.access import allowed
from referrals import selectors
from referrals.access import may_manage_directory, reads_directory, supervises
from referrals.forms.directory import ResourceFilterForm, ResourceServiceForm
from referrals.hsds import export, tabular
from referrals.services import directory

PAGE_SIZE = 25


@allowed(reads_directory)
def resource_list(request):
    can_manage = supervises(request.user)
    zone = selectors.directory_time_zone(request.user)
    form = ResourceFilterForm(
        request.GET or None,
        can_manage=can_manage,
        now=timezone.localtime(timezone.now(), zone),
    )
    filters = form.filters()
    services = selectors.resource_list_for_user(request.user, filters=filters)
    page = page_of(services, PAGE_SIZE, request.GET.get("page"))
    return render(
        request,
        "referrals/resource_list.html",
        {
            "form": form,
            "page_obj": page,
            "searching": bool(filters),
            "can_manage": can_manage,
            "recheck_before": directory.recheck_before(),
            "zone": zone,
        },
    )


@allowed(reads_directory)
def resource_detail(request, code):
    service = selectors.resource_get_for_user(request.user, code)
    owner_id = service.organization.directory_owner_id
    return render(
        request,
        "referrals/resource_detail.html",
        {
            "service": service,
            "can_manage": may_manage_directory(request.user, owner_id),
            "recheck_before": directory.recheck_before(),
        },
    )


@allowed(reads_directory)
def resource_print(request, code):
    """A resource's details on one printable page, to hand to the patient."""
    service = selectors.resource_get_for_user(request.user, code)
    return render(request, "referrals/resource_print.html", {"service": service})


@allowed(supervises)
@require_GET
def resource_download(request):
    """The supervisor's CBO directory as HSDS JSON (full organizations) or as
    the HSDS tabular data package (a zip of CSVs and ``datapackage.json``)."""
    records = export.directory_records(request.user.organization_id)
    if request.GET.get("format") == "package":
        response = HttpResponse(
            tabular.package_zip(records, name="chwlink-directory"),
            content_type="application/zip",
        )
        response["Content-Disposition"] = 'attachment; filename="hsds-directory.zip"'
    else:
        response = JsonResponse(records, safe=False, json_dumps_params={"indent": 2})
        response["Content-Disposition"] = 'attachment; filename="hsds-directory.json"'
    response["Cache-Control"] = "no-store"
    return response


@allowed(supervises)
def resource_create(request):
    return _service_form(request, service=None)


@allowed(supervises)
def resource_edit(request, code):
    service = selectors.resource_get_for_user(request.user, code)
    return _service_form(request, service=service)


def _service_form(request, *, service):
    owner_id = (
        service.organization.directory_owner_id
        if service
        else request.user.organization_id
    )
    form = ResourceServiceForm(
        request.POST or None, directory_owner_id=owner_id, service=service
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = directory.resource_service_save(
                actor=request.user,
                data=form.cleaned_data,
                service=service,
                form_token=form.one_time_token,
            )
        except AlreadySubmitted as first:
            return already_submitted(
                request, reverse("referrals:resource-detail", args=[first.result])
            )
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            messages.success(request, _("%(name)s is saved.") % {"name": saved.name})
            return redirect("referrals:resource-detail", code=saved.code)
    return render(
        request, "referrals/resource_form.html", {"form": form, "service": service}
    )


@allowed(supervises)
@require_POST
def resource_verify(request, code):
    service = selectors.resource_get_for_user(request.user, code)
    directory.resource_service_verify(actor=request.user, service=service)
    messages.success(
        request,
        _("%(name)s is marked as verified today.") % {"name": service.name},
    )
    return redirect("referrals:resource-detail", code=service.code)
