"""The access matrix: for every URL name and role, the expected status of a GET and
of a POST.

Roles: ``anonymous``, ``clinic`` (clinic staff), ``supervisor``, ``navigator``,
``manager`` (program manager), ``administrator`` and ``outsider`` (a supervisor of
another partnership; the cross-organization test also tries every other role of
that partnership on each object URL). ``LOGIN`` is a redirect to the sign-in page.

Each row was reviewed against the role rules in the ``access`` modules
(``partners/access.py``, ``referrals/access.py``, ``evaluation/access.py``) and the
selectors. A new URL fails ``test_url_inventory`` until it has a row here.

The objects behind each URL (which referral state, which patient, …) are chosen in
``tests/security/conftest.py``. A POST is sent with no data (or the little data
in ``World.post_data`` where an empty form would stop before the access rule), so
an allowed POST answers with the form's errors (200 or 400) or a redirect (302).
"""

LOGIN = "login"
SIGNED_IN = (
    "clinic",
    "supervisor",
    "navigator",
    "manager",
    "administrator",
    "outsider",
)


def row(default=(403, 403), anonymous=(LOGIN, LOGIN), **roles):
    """Expected (GET, POST) per role: ``default`` for every signed-in role not named."""
    unknown = set(roles) - set(SIGNED_IN)
    if unknown:
        raise ValueError(f"Unknown roles: {sorted(unknown)}")
    return {"anonymous": anonymous} | {
        role: roles.get(role, default) for role in SIGNED_IN
    }


MATRIX = {
    "evaluation:dashboard": row(manager=(200, 200)),
    # Patient-level exports ask the manager to re-authenticate first.
    "evaluation:export-dataset": row(manager=(302, 302)),
    "evaluation:export-stories": row(manager=(302, 302)),
    "evaluation:export-table": row(manager=(200, 200)),
    "evaluation:pam-detail": row(
        supervisor=(200, 200), navigator=(200, 200), outsider=(404, 404)
    ),
    "evaluation:pam-due": row(navigator=(200, 200)),
    "evaluation:pam-new": row(navigator=(200, 200)),
    "evaluation:pam-scoring": row(manager=(200, 200)),
    "evaluation:pam-table-deactivate": row(default=(405, 403), manager=(405, 302)),
    "evaluation:patient-pam": row(
        supervisor=(200, 200), navigator=(200, 200), outsider=(404, 404)
    ),
    "evaluation:report-csv": row(
        supervisor=(404, 404), manager=(200, 200), outsider=(404, 404)
    ),
    # Reports belong to the manager who asked for them.
    "evaluation:report-detail": row(
        supervisor=(404, 404), manager=(200, 200), outsider=(404, 404)
    ),
    "evaluation:report-list": row(
        supervisor=(200, 200), manager=(200, 200), outsider=(200, 200)
    ),
    "evaluation:report-request": row(default=(405, 403), manager=(405, 302)),
    "evaluation:report-status": row(
        supervisor=(404, 404), manager=(200, 200), outsider=(404, 404)
    ),
    "evaluation:story-code": row(manager=(200, 200)),
    "evaluation:story-deidentify": row(
        supervisor=(200, 200), navigator=(200, 200), outsider=(404, 404)
    ),
    "evaluation:story-detail": row(
        default=(200, 200),
        clinic=(403, 403),
        administrator=(403, 403),
        outsider=(404, 404),
    ),
    "evaluation:story-list": row(
        default=(200, 200), clinic=(403, 403), administrator=(403, 403)
    ),
    "evaluation:story-new": row(navigator=(200, 200)),
    "evaluation:story-withdraw": row(
        default=(405, 403),
        supervisor=(405, 302),
        navigator=(405, 302),
        outsider=(405, 404),
    ),
    "evaluation:theme-edit": row(manager=(200, 200)),
    "evaluation:theme-list": row(manager=(200, 200)),
    "evaluation:utilization-edit": row(manager=(200, 200)),
    "evaluation:utilization-import": row(manager=(200, 200)),
    "evaluation:utilization-import-confirm": row(
        default=(405, 403), manager=(405, 302)
    ),
    "evaluation:utilization-import-preview": row(manager=(200, 200)),
    "evaluation:utilization-list": row(manager=(200, 200)),
    "evaluation:utilization-new": row(manager=(200, 200)),
    # Each role is sent to its own start page.
    "home": row(default=(302, 302)),
    # The audit log: administrators search and export it; supervisors and managers
    # see who viewed or changed one patient.
    # The audit exports name patients and who read them: they ask for the password
    # again too.
    "partners:audit-changes-export": row(administrator=(302, 302)),
    "partners:audit-export": row(administrator=(302, 302)),
    "partners:audit-search": row(administrator=(200, 200)),
    "partners:patient-audit": row(
        supervisor=(200, 200), manager=(200, 200), outsider=(404, 404)
    ),
    "partners:contract-document": row(
        default=(200, 200), navigator=(403, 403), outsider=(404, 404)
    ),
    "partners:contract-edit": row(manager=(200, 200), administrator=(200, 200)),
    "partners:closed-days": row(manager=(200, 200), administrator=(200, 200)),
    "partners:contract-new": row(manager=(200, 200), administrator=(200, 200)),
    # Switching language works signed out too (the sign-in page has the menu).
    # The world's invitation is the home manager's own, to a CBO it has no
    # partnership with: the manager may only withdraw it; an administrator answers.
    "partners:invitation-accept": row(default=(405, 403), administrator=(405, 302)),
    "partners:invitation-decline": row(
        default=(405, 403), manager=(405, 302), administrator=(405, 302)
    ),
    "partners:invitation-list": row(manager=(200, 200), administrator=(200, 200)),
    "partners:language": row(default=(405, 302), anonymous=(405, 302)),
    "partners:navigator-time": row(
        default=(200, 200), navigator=(403, 403), outsider=(404, 404)
    ),
    "partners:partnership-detail": row(
        default=(200, 200), navigator=(403, 403), outsider=(404, 404)
    ),
    "partners:partnership-edit": row(manager=(200, 200), administrator=(200, 200)),
    "partners:partnership-list": row(default=(200, 200), navigator=(403, 403)),
    "partners:partnership-new": row(manager=(200, 200), administrator=(200, 200)),
    "partners:plan": row(default=(200, 200), navigator=(403, 403), outsider=(404, 404)),
    "partners:plan-task-complete": row(manager=(405, 302), administrator=(405, 302)),
    "partners:plan-task-edit": row(manager=(200, 200), administrator=(200, 200)),
    "partners:plan-task-move": row(manager=(405, 302), administrator=(405, 302)),
    "partners:plan-task-new": row(manager=(200, 200), administrator=(200, 200)),
    "partners:required-training-new": row(manager=(200, 200), administrator=(200, 200)),
    "partners:required-training-remove": row(
        manager=(405, 302), administrator=(405, 302)
    ),
    # Statement lines carry MRNs: the download asks for the password again (302).
    "partners:statement-csv": row(
        default=(302, 302), clinic=(403, 403), navigator=(403, 403), outsider=(404, 404)
    ),
    "partners:statement-detail": row(
        default=(200, 200), clinic=(403, 403), navigator=(403, 403), outsider=(404, 404)
    ),
    "partners:statement-issue": row(manager=(405, 302), administrator=(405, 302)),
    "partners:statements": row(
        default=(200, 200), clinic=(403, 403), navigator=(403, 403), outsider=(404, 404)
    ),
    "partners:training": row(
        default=(200, 200), navigator=(403, 403), outsider=(404, 404)
    ),
    "partners:training-mine": row(default=(200, 200)),
    "partners:training-session-edit": row(manager=(200, 200), administrator=(200, 200)),
    "partners:training-session-new": row(manager=(200, 200), administrator=(200, 200)),
    # Seconds left in the session, for every signed-in user.
    "session-status": row(default=(200, 200)),
    # Supervisors and program managers find any referral of their organization's;
    # an outsider's page lists only their own (test_finding_scope).
    "referrals:all-referrals": row(
        supervisor=(200, 200), manager=(200, 200), outsider=(200, 200)
    ),
    "referrals:caseload": row(navigator=(200, 200)),
    "referrals:clinic-referral-list": row(clinic=(200, 200)),
    "referrals:encounter-new": row(navigator=(200, 200)),
    # Texts: the assigned navigator sends them and notes visits; the CBO's side
    # (its supervisors too) records consent and matches received texts.
    "referrals:text-send": row(
        default=(405, 403), navigator=(405, 400), outsider=(405, 404)
    ),
    "referrals:visit-new": row(
        default=(405, 403), navigator=(405, 302), outsider=(405, 404)
    ),
    "referrals:text-consent": row(
        default=(405, 403),
        supervisor=(405, 302),
        navigator=(405, 302),
        outsider=(405, 404),
    ),
    # Whoever edits the partnership sets its texting; another partnership's
    # people do not see it at all.
    "referrals:texting-settings": row(
        manager=(200, 200), administrator=(200, 200), outsider=(404, 404)
    ),
    "referrals:texts-to-match": row(
        supervisor=(200, 200), navigator=(200, 200), outsider=(200, 200)
    ),
    "referrals:text-match": row(
        default=(405, 403),
        supervisor=(405, 302),
        navigator=(405, 302),
        outsider=(405, 404),
    ),
    "referrals:inbox": row(supervisor=(200, 200), outsider=(200, 200)),
    "referrals:notification-list": row(default=(200, 200)),
    "referrals:notification-mark-all-read": row(default=(405, 302)),
    # Only the recipient opens a notification; for anyone else it does not exist.
    "referrals:notification-open": row(default=(404, 404), supervisor=(302, 302)),
    "referrals:notification-settings": row(default=(200, 200)),
    "referrals:notification-unread-count": row(default=(200, 200)),
    "referrals:pathway-approvals": row(supervisor=(200, 200), outsider=(200, 200)),
    "referrals:pathway-close": row(
        supervisor=(200, 200), navigator=(200, 200), outsider=(404, 404)
    ),
    "referrals:pathway-detail": row(default=(200, 200), outsider=(404, 404)),
    "referrals:pathway-new": row(
        supervisor=(200, 200), navigator=(200, 200), outsider=(404, 404)
    ),
    "referrals:pathway-resource-link": row(
        default=(405, 403),
        supervisor=(405, 400),
        navigator=(405, 400),
        outsider=(405, 404),
    ),
    "referrals:pathway-review": row(
        default=(405, 403), supervisor=(405, 400), outsider=(405, 404)
    ),
    "referrals:pathway-step-add": row(
        default=(405, 403),
        supervisor=(405, 400),
        navigator=(405, 400),
        outsider=(405, 404),
    ),
    "referrals:pathway-step-toggle": row(
        default=(405, 403),
        supervisor=(405, 302),
        navigator=(405, 302),
        outsider=(405, 404),
    ),
    "referrals:patient-detail": row(default=(200, 200), outsider=(404, 404)),
    "referrals:patient-edit": row(clinic=(200, 200), outsider=(404, 404)),
    "referrals:patient-new": row(clinic=(200, 200)),
    "referrals:referral-assign": row(supervisor=(200, 200), outsider=(404, 404)),
    "referrals:referral-create": row(clinic=(200, 200), outsider=(404, 404)),
    "referrals:referral-detail": row(default=(200, 200), outsider=(404, 404)),
    "referrals:referral-edit": row(
        default=(404, 404), clinic=(200, 200), administrator=(403, 403)
    ),
    "referrals:referral-message": row(
        default=(405, 302),
        manager=(405, 403),
        administrator=(405, 403),
        outsider=(405, 404),
    ),
    "referrals:referral-new": row(clinic=(200, 200)),
    "referrals:referral-share": row(supervisor=(200, 200), outsider=(404, 404)),
    # Asked about a referral being worked: those who may send one on are told
    # only a declined one can be (the form stays closed); the rest are refused.
    "referrals:referral-reroute": row(
        clinic=(200, 200), supervisor=(200, 200), outsider=(404, 404)
    ),
    # The working referral was screened at first contact: its navigator is
    # offered the rescreen; a screening is read by whoever reads its referral.
    "referrals:screening-new": row(navigator=(200, 200), outsider=(404, 404)),
    "referrals:screening-elsewhere": row(
        default=(404, 404), clinic=(200, 200), administrator=(403, 403)
    ),
    "referrals:screening-detail": row(default=(200, 200), outsider=(404, 404)),
    "referrals:screening-needs": row(
        default=(405, 403), navigator=(405, 400), outsider=(405, 404)
    ),
    "referrals:referral-submit": row(
        default=(405, 404), clinic=(405, 302), administrator=(405, 403)
    ),
    # "accept" on a submitted referral: others see the form, the service refuses.
    "referrals:referral-transition": row(
        default=(200, 403),
        supervisor=(200, 302),
        navigator=(404, 404),
        outsider=(404, 404),
    ),
    "referrals:team-board": row(
        supervisor=(200, 200), manager=(200, 200), outsider=(200, 200)
    ),
    "referrals:resource-create": row(supervisor=(200, 200), outsider=(200, 200)),
    # Each supervisor exports their own CBO's directory (no object in the URL).
    "referrals:resource-download": row(supervisor=(200, 405), outsider=(200, 405)),
    "referrals:resource-import": row(supervisor=(200, 200), outsider=(200, 200)),
    "referrals:resource-import-preview": row(
        supervisor=(200, 200), outsider=(404, 404)
    ),
    "referrals:resource-import-confirm": row(
        supervisor=(405, 302), outsider=(405, 404)
    ),
    "referrals:resource-detail": row(
        default=(200, 200), administrator=(403, 403), outsider=(404, 404)
    ),
    "referrals:resource-edit": row(supervisor=(200, 200), outsider=(404, 404)),
    "referrals:resource-print": row(
        default=(200, 200), administrator=(403, 403), outsider=(404, 404)
    ),
    "referrals:resource-list": row(default=(200, 200), administrator=(403, 403)),
    "referrals:resource-verify": row(supervisor=(405, 302), outsider=(405, 404)),
}
