from django.urls import path

from partners import views

app_name = "partners"

urlpatterns = [
    path("language/", views.language_set, name="language"),
    path("partnerships/", views.partnership_list, name="partnership-list"),
    path("partnerships/new/", views.partnership_new, name="partnership-new"),
    path(
        "partnerships/invitations/",
        views.invitation_list,
        name="invitation-list",
    ),
    path(
        "partnerships/<uuid:code>/accept/",
        views.invitation_answer,
        {"answer": "accept"},
        name="invitation-accept",
    ),
    path(
        "partnerships/<uuid:code>/decline/",
        views.invitation_answer,
        {"answer": "decline"},
        name="invitation-decline",
    ),
    path(
        "partnerships/<uuid:code>/",
        views.partnership_detail,
        name="partnership-detail",
    ),
    path(
        "partnerships/<uuid:code>/edit/",
        views.partnership_edit,
        name="partnership-edit",
    ),
    path(
        "partnerships/<uuid:code>/closed-days/",
        views.closed_days,
        name="closed-days",
    ),
    path(
        "partnerships/<uuid:code>/contracts/new/",
        views.contract_new,
        name="contract-new",
    ),
    path("contracts/<uuid:code>/edit/", views.contract_edit, name="contract-edit"),
    path(
        "contracts/<uuid:code>/document/",
        views.contract_document,
        name="contract-document",
    ),
    path("partnerships/<uuid:code>/plan/", views.plan_detail, name="plan"),
    path(
        "partnerships/<uuid:code>/plan/new/",
        views.plan_task_new,
        name="plan-task-new",
    ),
    path("plan-tasks/<uuid:code>/edit/", views.plan_task_edit, name="plan-task-edit"),
    path("plan-tasks/<uuid:code>/move/", views.plan_task_move, name="plan-task-move"),
    path(
        "plan-tasks/<uuid:code>/complete/",
        views.plan_task_complete,
        name="plan-task-complete",
    ),
    path("trainings/mine/", views.training_mine, name="training-mine"),
    path(
        "partnerships/<uuid:code>/training/",
        views.training_overview,
        name="training",
    ),
    path(
        "partnerships/<uuid:code>/training/new/",
        views.training_session_new,
        name="training-session-new",
    ),
    path(
        "training-sessions/<uuid:code>/edit/",
        views.training_session_edit,
        name="training-session-edit",
    ),
    path(
        "partnerships/<uuid:code>/training/required/",
        views.required_training_new,
        name="required-training-new",
    ),
    path(
        "required-trainings/<uuid:code>/remove/",
        views.required_training_remove,
        name="required-training-remove",
    ),
    path(
        "partnerships/<uuid:code>/statements/",
        views.statement_overview,
        name="statements",
    ),
    path(
        "partnerships/<uuid:code>/statements/issue/",
        views.statement_issue,
        name="statement-issue",
    ),
    path("statements/<uuid:code>/", views.statement_detail, name="statement-detail"),
    path("statements/<uuid:code>/csv/", views.statement_csv, name="statement-csv"),
    path(
        "partnerships/<uuid:code>/navigator-time/",
        views.navigator_time,
        name="navigator-time",
    ),
    path("audit/", views.audit_search, name="audit-search"),
    path("audit/export.csv", views.audit_export, name="audit-export"),
    path("audit/changes.csv", views.audit_changes_export, name="audit-changes-export"),
    path(
        "audit/patients/<uuid:code>/",
        views.patient_audit,
        name="patient-audit",
    ),
]
