from django.urls import path

from referrals.views import (
    assignment,
    detail,
    directory,
    finding,
    hsds_import,
    intake,
    lists,
    notifications,
    rerouting,
    screening,
    texting,
    work,
)

app_name = "referrals"

urlpatterns = [
    # Worklists
    path("", lists.clinic_referral_list, name="clinic-referral-list"),
    path("inbox/", lists.inbox, name="inbox"),
    path("caseload/", lists.caseload, name="caseload"),
    path("all/", finding.all_referrals, name="all-referrals"),
    path("team/", finding.team_board, name="team-board"),
    # Notifications
    path("notifications/", notifications.notification_list, name="notification-list"),
    path(
        "notifications/unread/",
        notifications.notification_unread_count,
        name="notification-unread-count",
    ),
    path(
        "notifications/read-all/",
        notifications.notification_mark_all_read,
        name="notification-mark-all-read",
    ),
    path(
        "notifications/settings/",
        notifications.notification_settings,
        name="notification-settings",
    ),
    path(
        "notifications/<uuid:code>/",
        notifications.notification_open,
        name="notification-open",
    ),
    # Clinic intake
    path("new/", intake.referral_new, name="referral-new"),
    path("new/<uuid:patient_code>/", intake.referral_create, name="referral-create"),
    path("patients/new/", intake.patient_create, name="patient-new"),
    path("patients/<uuid:code>/", intake.patient_detail, name="patient-detail"),
    path("patients/<uuid:code>/edit/", intake.patient_edit, name="patient-edit"),
    # Community resource directory
    path("resources/", directory.resource_list, name="resource-list"),
    path("resources/new/", directory.resource_create, name="resource-create"),
    path("resources/download/", directory.resource_download, name="resource-download"),
    path("resources/import/", hsds_import.resource_import, name="resource-import"),
    path(
        "resources/import/<uuid:code>/",
        hsds_import.resource_import_preview,
        name="resource-import-preview",
    ),
    path(
        "resources/import/<uuid:code>/confirm/",
        hsds_import.resource_import_confirm,
        name="resource-import-confirm",
    ),
    path("resources/<uuid:code>/", directory.resource_detail, name="resource-detail"),
    path("resources/<uuid:code>/edit/", directory.resource_edit, name="resource-edit"),
    path(
        "resources/<uuid:code>/print/", directory.resource_print, name="resource-print"
    ),
    path(
        "resources/<uuid:code>/verify/",
        directory.resource_verify,
        name="resource-verify",
    ),
    # Pathways
    path("pathways/approvals/", work.pathway_approvals, name="pathway-approvals"),
    path("pathways/<uuid:code>/", work.pathway_detail, name="pathway-detail"),
    path("pathways/<uuid:code>/steps/", work.pathway_step_add, name="pathway-step-add"),
    path(
        "pathways/<uuid:code>/steps/<int:step_id>/toggle/",
        work.pathway_step_toggle,
        name="pathway-step-toggle",
    ),
    path(
        "pathways/<uuid:code>/resources/",
        work.pathway_resource_link,
        name="pathway-resource-link",
    ),
    path("pathways/<uuid:code>/close/", work.pathway_close, name="pathway-close"),
    path("pathways/<uuid:code>/review/", work.pathway_review, name="pathway-review"),
    # Screenings
    path(
        "screenings/<uuid:code>/", screening.screening_detail, name="screening-detail"
    ),
    path(
        "screenings/<uuid:code>/needs/",
        screening.screening_needs,
        name="screening-needs",
    ),
    # One referral
    path("<uuid:code>/", detail.referral_detail, name="referral-detail"),
    path("<uuid:code>/edit/", intake.referral_edit, name="referral-edit"),
    path("<uuid:code>/submit/", intake.referral_submit, name="referral-submit"),
    path("<uuid:code>/message/", detail.referral_message, name="referral-message"),
    path("<uuid:code>/assign/", assignment.referral_assign, name="referral-assign"),
    path("<uuid:code>/share/", assignment.referral_share, name="referral-share"),
    path("<uuid:code>/send-on/", rerouting.referral_reroute, name="referral-reroute"),
    path("<uuid:code>/contacts/new/", work.encounter_new, name="encounter-new"),
    path("<uuid:code>/texts/send/", texting.referral_text_send, name="text-send"),
    path(
        "<uuid:code>/texts/consent/",
        texting.referral_text_consent,
        name="text-consent",
    ),
    path("<uuid:code>/visits/new/", texting.referral_visit_new, name="visit-new"),
    path("texts/to-match/", texting.texts_to_match, name="texts-to-match"),
    path(
        "texting/settings/<uuid:code>/",
        texting.texting_settings,
        name="texting-settings",
    ),
    path("texts/<uuid:code>/match/", texting.text_match, name="text-match"),
    path("<uuid:code>/pathways/new/", work.pathway_new, name="pathway-new"),
    path("<uuid:code>/screening/", screening.screening_new, name="screening-new"),
    path(
        "<uuid:code>/screening/elsewhere/",
        screening.screening_elsewhere,
        name="screening-elsewhere",
    ),
    path(
        "<uuid:code>/<slug:action>/",
        detail.referral_transition,
        name="referral-transition",
    ),
]
