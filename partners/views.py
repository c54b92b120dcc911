import datetime

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import activate
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chwlink.lib import patients_shown
from chwlink.lib.pagination import page_of
from chwlink.lib.submissions import AlreadySubmitted, already_submitted
from partners import audit, invitations, selectors, services, statements
from partners.access import (
    allowed,
    has_any_role,
    home_url,
    is_administrator,
    manages_partnerships,
    may_answer_invitation,
    may_edit_partnership,
    may_see_payments,
    may_withdraw_invitation,
    reads_audit,
    reads_partnerships,
    require_recent_authentication,
)
from partners.forms import (
    AuditSearchForm,
    ClosedDayForm,
    ContractForm,
    LanguageForm,
    PartnershipForm,
    PlanTaskForm,
    RequiredTrainingForm,
    StatementMonthForm,
    TrainingSessionForm,
)
from partners.models import Contract, PlanTask
from referrals.access import sets_texting
from referrals.fhir.sync import clients_of_partnership


def home(request):
    """Send each role to the page it works from."""
    return redirect(home_url(request.user))


@login_not_required
@require_POST
def language_set(request):
    form = LanguageForm(request.POST)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    # Not redirect(): it would try a bare word such as "x" as a view name.
    response = HttpResponseRedirect(next_url)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            services.user_set_language(user=request.user, language=language)
        activate(language)
        response.set_cookie(
            "django_language",
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure(),
        )
    return response


# Partnerships: description, contracts, plan, training, statements.

PAGE_SIZE = 25


def _editable(request, partnership):
    if not may_edit_partnership(request.user, partnership):
        raise PermissionDenied
    return partnership


def _editable_partnership(request, code):
    """The partnership of the URL: 404 out of scope, 403 to those who only read."""
    return _editable(request, selectors.partnership_get_for_user(request.user, code))


@allowed(reads_partnerships)
def partnership_list(request):
    partnerships = selectors.partnership_and_invitation_list_for_user(
        request.user
    ).order_by("name")
    page = page_of(partnerships, PAGE_SIZE, request.GET.get("page"))
    return render(
        request,
        "partners/partnership_list.html",
        {
            "page_obj": page,
            "can_create": manages_partnerships(request.user),
            "open_invitations": selectors.invitation_list_for_user(
                request.user
            ).count(),
        },
    )


@allowed(manages_partnerships)
def partnership_new(request):
    form = PartnershipForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            partnership = invitations.partnership_invite(
                actor=request.user,
                data=form.cleaned_without_token(),
                form_token=form.one_time_token,
            )
        except AlreadySubmitted as first:
            return already_submitted(
                request, "partners:partnership-detail", code=first.result
            )
        if partnership.is_invitation:
            message = _(
                "%(name)s is proposed: it starts when %(other)s accepts the invitation."
            ) % {
                "name": partnership.name,
                "other": (
                    partnership.cbo
                    if partnership.invited_organization_id == partnership.cbo_id
                    else partnership.health_system
                ),
            }
        else:
            message = _("%(name)s is created with the model's implementation plan.") % {
                "name": partnership.name
            }
        messages.success(request, message)
        return redirect("partners:partnership-detail", code=partnership.code)
    return render(request, "partners/partnership_form.html", {"form": form})


@allowed(manages_partnerships)
def invitation_list(request):
    """Invitations to answer, and those the user's organization sent."""
    open_invitations = selectors.invitation_list_for_user(request.user).order_by(
        "created", "pk"
    )
    return render(
        request,
        "partners/invitation_list.html",
        {
            "to_answer": [
                p for p in open_invitations if may_answer_invitation(request.user, p)
            ],
            "sent": [
                p
                for p in open_invitations
                if not may_answer_invitation(request.user, p)
            ],
        },
    )


@require_POST
@allowed(manages_partnerships)
def invitation_answer(request, code, answer):
    """Accept or decline (or, for the inviting side, withdraw) an invitation."""
    partnership = selectors.partnership_detail_for_user(request.user, code)
    answer_with = {
        "accept": invitations.partnership_invitation_accept,
        "decline": invitations.partnership_invitation_decline,
    }[answer]
    try:
        answer_with(actor=request.user, partnership=partnership)
    except invitations.InvitationAnswered as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            _("The partnership is accepted: it starts in planning.")
            if answer == "accept"
            else _("The invitation is declined."),
        )
    return redirect("partners:partnership-detail", code=partnership.code)


@allowed(reads_partnerships)
def partnership_detail(request, code):
    partnership = selectors.partnership_detail_for_user(request.user, code)
    if not partnership.is_accepted:
        return render(
            request,
            "partners/invitation_detail.html",
            {
                "partnership": partnership,
                "can_answer": may_answer_invitation(request.user, partnership),
                "can_withdraw": may_withdraw_invitation(request.user, partnership),
            },
        )
    return render(
        request,
        "partners/partnership_detail.html",
        {
            "partnership": partnership,
            "contracts": selectors.contract_list_for_partnership(partnership),
            "in_force": selectors.contract_in_force(
                partnership, with_service_levels=True
            ),
            "steps": selectors.plan_step_summary(partnership),
            "ehr_links": clients_of_partnership(partnership),
            "can_edit": may_edit_partnership(request.user, partnership),
            "sets_texting": sets_texting(request.user, partnership),
            "see_payments": may_see_payments(request.user),
            "ContractKind": Contract.Kind,
        },
    )


@allowed(manages_partnerships)
def partnership_edit(request, code):
    partnership = _editable_partnership(request, code)
    form = PartnershipForm(
        request.POST or None, instance=partnership, actor=request.user
    )
    if request.method == "POST" and form.is_valid():
        services.partnership_update(
            actor=request.user,
            partnership=partnership,
            data=form.cleaned_without_token(),
        )
        messages.success(request, _("The partnership is saved."))
        return redirect("partners:partnership-detail", code=partnership.code)
    return render(
        request,
        "partners/partnership_form.html",
        {"form": form, "partnership": partnership},
    )


@allowed(manages_partnerships)
def closed_days(request, code):
    """The days the partnership does not work beyond its public holidays: add one,
    or (``remove`` = the day) take one back."""
    partnership = _editable_partnership(request, code)
    adding = request.method == "POST" and "remove" not in request.POST
    form = ClosedDayForm(request.POST if adding else None)
    if request.method == "POST" and "remove" in request.POST:
        try:
            day = datetime.date.fromisoformat(request.POST["remove"])
        except ValueError:
            day = None
        for closed in partnership.closed_days.filter(day=day):
            services.closed_day_remove(actor=request.user, closed_day=closed)
            messages.success(
                request,
                _("%(day)s is a working day again.")
                % {"day": date_format(closed.day, "DATE_FORMAT")},
            )
        return redirect("partners:closed-days", code=partnership.code)
    if adding and form.is_valid():
        try:
            services.closed_day_add(
                actor=request.user, partnership=partnership, **form.cleaned_data
            )
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            messages.success(request, _("The closed day is saved."))
            return redirect("partners:closed-days", code=partnership.code)
    return render(
        request,
        "partners/closed_days.html",
        {
            "partnership": partnership,
            "form": form,
            "page_obj": page_of(
                partnership.closed_days.order_by("-day"),
                PAGE_SIZE,
                request.GET.get("page"),
            ),
        },
    )


@allowed(manages_partnerships)
def contract_new(request, code):
    partnership = _editable_partnership(request, code)
    return _contract_form(request, partnership=partnership, contract=None)


@allowed(manages_partnerships)
def contract_edit(request, code):
    contract = selectors.contract_get_for_user(request.user, code)
    partnership = _editable(request, contract.partnership)
    return _contract_form(request, partnership=partnership, contract=contract)


def _contract_form(request, *, partnership, contract):
    form = ContractForm(request.POST or None, request.FILES or None, instance=contract)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.contract_save(
                actor=request.user,
                partnership=partnership,
                contract=contract,
                data=form.contract_data(),
                document=form.cleaned_data["document"],
                rates=form.pathway_rates(),
                form_token=form.one_time_token,
            )
        except AlreadySubmitted:
            return already_submitted(
                request, "partners:partnership-detail", code=partnership.code
            )
        messages.success(request, _("%(title)s is saved.") % {"title": saved.title})
        return redirect("partners:partnership-detail", code=partnership.code)
    return render(
        request,
        "partners/contract_form.html",
        {"form": form, "partnership": partnership, "contract": contract},
    )


@allowed(reads_partnerships)
def contract_document(request, code):
    """Serve a contract's file to the partners only, never inline."""
    contract = selectors.contract_get_for_user(request.user, code)
    if contract.kind == Contract.Kind.PAYMENT and not may_see_payments(request.user):
        raise PermissionDenied
    if not contract.document:
        raise Http404
    try:
        stored = contract.document.open("rb")
    except FileNotFoundError as missing:
        # The row outlived its file (a restore without PRIVATE_FILES_DIR, a file
        # removed by hand): nothing to serve, and not a server error.
        raise Http404 from missing
    response = FileResponse(
        stored,
        as_attachment=True,
        filename=contract.document_name or "contract",
        content_type=contract.document_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@allowed(reads_partnerships)
def plan_detail(request, code):
    partnership = selectors.partnership_get_for_user(request.user, code)
    tasks = list(selectors.plan_task_list(partnership))
    today = timezone.localdate()
    steps = selectors.plan_step_summary(partnership)
    for step in steps:
        step["tasks"] = [task for task in tasks if task.step == step["number"]]
    overdue = [
        task
        for task in tasks
        if task.due_on and task.due_on < today and task.status != PlanTask.Status.DONE
    ]
    return render(
        request,
        "partners/plan_detail.html",
        {
            "partnership": partnership,
            "steps": steps,
            "overdue": overdue,
            "today": today,
            "done": sum(1 for task in tasks if task.status == PlanTask.Status.DONE),
            "total": len(tasks),
            "can_edit": may_edit_partnership(request.user, partnership),
            "TaskStatus": PlanTask.Status,
        },
    )


@allowed(manages_partnerships)
def plan_task_new(request, code):
    partnership = _editable_partnership(request, code)
    return _plan_task_form(request, partnership=partnership, task=None)


@allowed(manages_partnerships)
def plan_task_edit(request, code):
    task = selectors.plan_task_get_for_user(request.user, code)
    partnership = _editable(request, task.partnership)
    return _plan_task_form(request, partnership=partnership, task=task)


def _plan_task_form(request, *, partnership, task):
    form = PlanTaskForm(
        request.POST or None,
        instance=task,
        initial={"step": request.GET.get("step")},
        people=selectors.partnership_people(partnership),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_without_token()
        if task is None:
            try:
                services.plan_task_add(
                    actor=request.user,
                    partnership=partnership,
                    data=data,
                    form_token=form.one_time_token,
                )
            except AlreadySubmitted:
                return already_submitted(
                    request, "partners:plan", code=partnership.code
                )
        else:
            services.plan_task_update(actor=request.user, task=task, data=data)
        messages.success(request, _("The plan is saved."))
        return redirect("partners:plan", code=partnership.code)
    return render(
        request,
        "partners/plan_task_form.html",
        {"form": form, "partnership": partnership, "task": task},
    )


@allowed(manages_partnerships)
@require_POST
def plan_task_move(request, code):
    task = selectors.plan_task_get_for_user(request.user, code)
    _editable(request, task.partnership)
    services.plan_task_move(
        actor=request.user, task=task, up=request.POST.get("direction") == "up"
    )
    return redirect(
        f"{reverse('partners:plan', args=[task.partnership.code])}#step-{task.step}"
    )


@allowed(manages_partnerships)
@require_POST
def plan_task_complete(request, code):
    task = selectors.plan_task_get_for_user(request.user, code)
    _editable(request, task.partnership)
    services.plan_task_complete(actor=request.user, task=task)
    messages.success(request, _("“%(title)s” is done.") % {"title": task.title})
    return redirect(
        f"{reverse('partners:plan', args=[task.partnership.code])}#step-{task.step}"
    )


@allowed(reads_partnerships)
def training_overview(request, code):
    partnership = selectors.partnership_get_for_user(request.user, code)
    sessions = selectors.training_session_list(partnership)
    people = page_of(
        selectors.partnership_people(partnership).order_by(
            "organization__name", "first_name", "pk"
        ),
        PAGE_SIZE,
        request.GET.get("page"),
    )
    can_edit = may_edit_partnership(request.user, partnership)
    return render(
        request,
        "partners/training_overview.html",
        {
            "partnership": partnership,
            "sessions": sessions[:PAGE_SIZE],
            "page_obj": people,
            "standing": selectors.training_status_for_people(partnership, people),
            "rules": partnership.required_trainings.all(),
            "rule_form": RequiredTrainingForm() if can_edit else None,
            "can_edit": can_edit,
        },
    )


@allowed(manages_partnerships)
def training_session_new(request, code):
    partnership = _editable_partnership(request, code)
    return _training_form(request, partnership=partnership, session=None)


@allowed(manages_partnerships)
def training_session_edit(request, code):
    session = selectors.training_session_get_for_user(request.user, code)
    partnership = _editable(request, session.partnership)
    return _training_form(request, partnership=partnership, session=session)


def _training_form(request, *, partnership, session):
    form = TrainingSessionForm(
        request.POST or None,
        instance=session,
        partnership=partnership,
        people=selectors.partnership_people(partnership),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.training_session_save(
                actor=request.user,
                partnership=partnership,
                session=session,
                data=form.cleaned_without_token(),
                form_token=form.one_time_token,
            )
        except AlreadySubmitted:
            return already_submitted(
                request, "partners:training", code=partnership.code
            )
        messages.success(request, _("The training session is saved."))
        return redirect("partners:training", code=partnership.code)
    return render(
        request,
        "partners/training_session_form.html",
        {"form": form, "partnership": partnership, "session": session},
    )


@allowed(manages_partnerships)
def required_training_new(request, code):
    partnership = _editable_partnership(request, code)
    form = RequiredTrainingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.required_training_save(
            actor=request.user, partnership=partnership, data=form.cleaned_data
        )
        messages.success(request, _("The required training is saved."))
        return redirect("partners:training", code=partnership.code)
    return render(
        request,
        "partners/required_training_form.html",
        {"form": form, "partnership": partnership},
    )


@allowed(manages_partnerships)
@require_POST
def required_training_remove(request, code):
    rule = selectors.required_training_get_for_user(request.user, code)
    _editable(request, rule.partnership)
    services.required_training_remove(actor=request.user, rule=rule)
    messages.success(request, _("The required training is removed."))
    return redirect("partners:training", code=rule.partnership.code)


def _this_month(partnership):
    return timezone.localdate(timezone=statements.zone_of(partnership)).replace(day=1)


@allowed(may_see_payments)
def statement_overview(request, code):
    """Issued statements, and what a month's statement would hold now."""
    partnership = selectors.partnership_get_for_user(request.user, code)
    this_month = _this_month(partnership)
    form = StatementMonthForm(request.GET or {"month": this_month.strftime("%Y-%m")})
    month = form.cleaned_data["month"] if form.is_valid() else this_month
    draft = statements.statement_compute(partnership=partnership, period_start=month)
    issued = selectors.statement_list_for_partnership(partnership)
    return render(
        request,
        "partners/statement_overview.html",
        {
            "partnership": partnership,
            "form": form,
            "draft": draft,
            "page_obj": page_of(draft.line_pages, PAGE_SIZE, request.GET.get("page")),
            "issued": issued[:PAGE_SIZE],
            "already_issued": issued.filter(period_start=draft.period_start).first(),
            "can_issue": may_edit_partnership(request.user, partnership),
            "month_over": draft.period_start < this_month,
        },
    )


@allowed(manages_partnerships)
@require_POST
def statement_issue(request, code):
    partnership = _editable_partnership(request, code)
    form = StatementMonthForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a month."))
        return redirect("partners:statements", code=partnership.code)
    try:
        statement = statements.statement_issue(
            actor=request.user,
            partnership=partnership,
            period_start=form.cleaned_data["month"],
        )
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
        return redirect("partners:statements", code=partnership.code)
    messages.success(request, _("The statement is issued; it can no longer change."))
    return redirect("partners:statement-detail", code=statement.code)


@allowed(may_see_payments)
def statement_detail(request, code):
    statement = selectors.statement_get_for_user(request.user, code)
    lines = selectors.statement_lines(statement)
    return render(
        request,
        "partners/statement_detail.html",
        {
            "statement": statement,
            "partnership": statement.partnership,
            "page_obj": page_of(lines, PAGE_SIZE, request.GET.get("page")),
            "totals": selectors.statement_totals_by_method(statement),
        },
    )


@allowed(may_see_payments)
def statement_csv(request, code):
    statement = selectors.statement_get_for_user(request.user, code)
    # The lines carry medical record numbers; the scope check comes first so a
    # stranger gets 404, not a password prompt that confirms the statement exists.
    require_recent_authentication(request)
    # A statewide month holds tens of thousands of lines: they stream from a
    # server-side cursor, a chunk at a time, after the access record is written,
    # so the patients they name are listed for it first.
    request.audit_shown = list(selectors.statement_patient_codes(statement))
    lines = selectors.statement_lines(statement).iterator(chunk_size=2000)
    response = StreamingHttpResponse(
        statements.statement_csv(statement=statement, lines=lines),
        content_type="text/csv; charset=utf-8",
    )
    filename = f"statement-{statement.period_start:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@allowed(reads_partnerships)
def navigator_time(request, code):
    """Navigator minutes per patient per month, against the CHI billing codes."""
    partnership = selectors.partnership_get_for_user(request.user, code)
    rows = statements.navigator_time_by_patient_month(partnership=partnership)
    page = page_of(rows, PAGE_SIZE, request.GET.get("page"))
    patients_shown.note_ids(row["referral__patient_id"] for row in page)
    return render(
        request,
        "partners/navigator_time.html",
        {"partnership": partnership, "page_obj": page},
    )


@allowed(has_any_role)
def training_mine(request):
    """A person's own trainings and what is required of them, per partnership."""
    partnerships = selectors.partnership_list_for_user(request.user)[:PAGE_SIZE]
    return render(
        request,
        "partners/training_mine.html",
        {
            "rows": [
                (
                    partnership,
                    selectors.training_status_for_people(partnership, [request.user])[
                        0
                    ],
                )
                for partnership in partnerships
            ]
        },
    )


AUDIT_PAGE_SIZE = 50


@allowed(reads_audit)
def patient_audit(request, code):
    """Who viewed or changed a patient's records: reads or changes, newest first."""
    patient = audit.patient_get_for_audit(request.user, code)
    trail = audit.patient_audit_trail(patient)
    show = "changes" if request.GET.get("show") == "changes" else "reads"
    page = page_of(trail[show], AUDIT_PAGE_SIZE, request.GET.get("page"))
    if show == "changes":
        rows = audit.change_rows(page, viewer=request.user, patient=patient)
    else:
        rows = page
    return render(
        request,
        "partners/patient_audit.html",
        {"patient": patient, "show": show, "page_obj": page, "rows": rows},
    )


@allowed(is_administrator)
def audit_search(request):
    form = AuditSearchForm(request.GET or None)
    records = audit.access_record_search(filters=form.filters())
    page = page_of(records, AUDIT_PAGE_SIZE, request.GET.get("page"))
    return render(
        request,
        "partners/audit_search.html",
        {"form": form, "page_obj": page, "query": request.GET.urlencode()},
    )


@allowed(is_administrator)
@reauthentication_required
def audit_changes_export(request):
    """The change history matching the search, as CSV (itself recorded)."""
    form = AuditSearchForm(request.GET or None)
    events = audit.change_event_search(filters=form.filters())
    stamp = timezone.localdate().isoformat()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="changes-{stamp}.csv"'
    audit.change_events_write_csv(response, events)
    return response


@allowed(is_administrator)
@reauthentication_required
def audit_export(request):
    """The search result as CSV; the export itself is recorded (see AUDITED_ROUTES)."""
    form = AuditSearchForm(request.GET or None)
    records = audit.access_record_search(filters=form.filters())
    stamp = timezone.localdate().isoformat()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="access-log-{stamp}.csv"'
    audit.access_records_write_csv(response, records)
    return response
