"""Recording PAM administrations, who is due a follow-up, and licensed tables."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chwlink.lib.pagination import page_of
from chwlink.lib.submissions import AlreadySubmitted, already_submitted
from evaluation import selectors
from evaluation.access import manages_program
from evaluation.forms import PamForm, PamTableForm
from evaluation.services import pam as pam_services
from partners.access import allowed
from referrals.access import navigates, works_at_cbo
from referrals.selectors import patient_referrals_for_user

PAGE_SIZE = 25


def _add_errors(form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


@allowed(works_at_cbo)
def patient_pam(request, code):
    patient = selectors.evaluation_patient_get_for_user(request.user, code)
    administrations = selectors.pam_list_for_user(request.user).filter(patient=patient)
    context = {
        "patient": patient,
        "administrations": administrations,
        "due_months": selectors.follow_up_months(),
        "records": navigates(request.user),
    }
    return render(request, "evaluation/pam_patient.html", context)


@allowed(navigates)
def pam_new(request, code):
    patient = selectors.evaluation_patient_get_for_user(request.user, code)
    referral = patient_referrals_for_user(request.user, patient).first()
    table = pam_services.pam_active_table(partnership=referral.partnership)
    language = request.POST.get("language") or patient.preferred_language
    wording = table.wording.get(language) if table else None
    initial = {
        "administered_on": timezone.localdate(),
        "language": patient.preferred_language,
        "kind": "follow_up" if patient.pam_administrations.exists() else "baseline",
    }
    form = PamForm(request.POST or None, initial=initial, wording=wording)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            administration = pam_services.pam_record(
                actor=request.user,
                patient=patient,
                administered_on=data["administered_on"],
                language=data["language"],
                mode=data["mode"],
                kind=data["kind"],
                answers=form.answers(),
                manual_score=data["manual_score"],
                manual_cut_set=data["manual_cut_set"],
                form_token=form.one_time_token,
            )
        except AlreadySubmitted as first:
            return already_submitted(
                request, "evaluation:pam-detail", code=first.result
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The PAM was saved."))
            return redirect("evaluation:pam-detail", code=administration.code)
    context = {"patient": patient, "form": form, "table": table}
    return render(request, "evaluation/pam_form.html", context)


@allowed(works_at_cbo)
def pam_detail(request, code):
    administration = selectors.pam_get_for_user(request.user, code)
    return render(
        request, "evaluation/pam_detail.html", {"administration": administration}
    )


@allowed(navigates)
def pam_due(request):
    # count, page of patients (each with its subqueries)
    page = page_of(
        selectors.pam_due_for_navigator(user=request.user),
        PAGE_SIZE,
        request.GET.get("page"),
    )
    request.audit_shown = [patient.code for patient in page]
    context = {
        "page": page,
        "today": timezone.localdate(),
        "due_months": selectors.follow_up_months(),
    }
    return render(request, "evaluation/pam_due.html", context)


@allowed(manages_program)
def pam_scoring(request):
    form = PamTableForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pam_services.pam_table_upload(
                actor=request.user,
                name=data["name"],
                cut_set=data["cut_set"],
                license_reference=data["license_reference"],
                table_csv=data["table_file"],
                wording_csv=data["wording_file"],
                form_token=form.one_time_token,
            )
        except AlreadySubmitted:
            return already_submitted(request, "evaluation:pam-scoring")
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The conversion table is now in use."))
            return redirect("evaluation:pam-scoring")
    context = {"form": form, "tables": selectors.pam_tables_for_user(request.user)}
    return render(request, "evaluation/pam_scoring.html", context)


@require_POST
@allowed(manages_program)
def pam_table_deactivate(request, code):
    table = selectors.pam_table_get_for_user(request.user, code)
    pam_services.pam_table_deactivate(actor=request.user, table=table)
    messages.success(request, _("New PAMs will no longer be scored with this table."))
    return redirect("evaluation:pam-scoring")
