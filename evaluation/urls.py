from django.urls import path

from evaluation.views import dashboard, pam, reports, stories, utilization

app_name = "evaluation"

urlpatterns = [
    # Program dashboard and exports
    path("", dashboard.dashboard, name="dashboard"),
    path("export/dataset.csv", dashboard.export_dataset, name="export-dataset"),
    path("export/stories.csv", dashboard.export_stories, name="export-stories"),
    path("export/<slug:table>.csv", dashboard.export_table, name="export-table"),
    # Reports
    path("reports/", reports.report_list, name="report-list"),
    path("reports/new/", reports.report_request, name="report-request"),
    path("reports/<uuid:code>/", reports.report_detail, name="report-detail"),
    path("reports/<uuid:code>/status/", reports.report_status, name="report-status"),
    path("reports/<uuid:code>/csv/", reports.report_csv, name="report-csv"),
    # PAM
    path("pam/due/", pam.pam_due, name="pam-due"),
    path("pam/scoring/", pam.pam_scoring, name="pam-scoring"),
    path(
        "pam/scoring/<uuid:code>/deactivate/",
        pam.pam_table_deactivate,
        name="pam-table-deactivate",
    ),
    path("pam/<uuid:code>/", pam.pam_detail, name="pam-detail"),
    path("patients/<uuid:code>/pam/", pam.patient_pam, name="patient-pam"),
    path("patients/<uuid:code>/pam/new/", pam.pam_new, name="pam-new"),
    # Stories and themes
    path("stories/", stories.story_list, name="story-list"),
    path("patients/<uuid:code>/stories/new/", stories.story_new, name="story-new"),
    path("stories/<uuid:code>/", stories.story_detail, name="story-detail"),
    path(
        "stories/<uuid:code>/withdraw/", stories.story_withdraw, name="story-withdraw"
    ),
    path(
        "stories/<uuid:code>/deidentify/",
        stories.story_deidentify,
        name="story-deidentify",
    ),
    path("stories/<uuid:code>/code/", stories.story_code, name="story-code"),
    path("themes/", stories.theme_list, name="theme-list"),
    path("themes/<uuid:code>/", stories.theme_edit, name="theme-edit"),
    # Utilization
    path("utilization/", utilization.utilization_list, name="utilization-list"),
    path("utilization/new/", utilization.utilization_new, name="utilization-new"),
    path(
        "utilization/<uuid:code>/",
        utilization.utilization_edit,
        name="utilization-edit",
    ),
    path(
        "utilization/import/",
        utilization.utilization_import,
        name="utilization-import",
    ),
    path(
        "utilization/import/<uuid:code>/",
        utilization.utilization_import_preview,
        name="utilization-import-preview",
    ),
    path(
        "utilization/import/<uuid:code>/confirm/",
        utilization.utilization_import_confirm,
        name="utilization-import-confirm",
    ),
]
