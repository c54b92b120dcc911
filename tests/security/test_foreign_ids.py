"""The foreign-id matrix (issue 13, item 3): every form field that picks an
organization, clinic, person or record by id offers and accepts only what the user
may reach. For each such field, a user of the home partnership posts (or, for a
filter, asks with) the id of the other partnership's record: the answer is a 404
or the form's error on that field, and nothing is saved.

The fields are found by walking every form class of the project's ``forms``
modules, so a new form with such a field fails ``test_every_id_field_is_in_the
_matrix`` until it has a row here. Django admin forms are left out: only
administrators reach them, and they act for both partners.
"""

import importlib
import inspect
import pkgutil
from dataclasses import dataclass, field

import pytest
from django import forms
from django.db import transaction
from django.urls import reverse

from chwlink.lib.submissions import FormTokenForm
from evaluation.services import stories
from partners.models import Partnership, PlanTask
from referrals.models import Referral
from tests.security.conftest import fingerprint
from tests.security.world import Role, _resource

pytestmark = pytest.mark.django_db

ROOT_PACKAGES = ("chwlink", "partners", "referrals", "evaluation")
ID_FIELDS = (forms.ModelChoiceField, forms.UUIDField)


def _form_modules():
    for root in ROOT_PACKAGES:
        package = importlib.import_module(root)
        for info in pkgutil.walk_packages(package.__path__, f"{root}."):
            parts = info.name.split(".")
            if "tests" not in parts and "forms" in parts:
                yield importlib.import_module(info.name)


def id_fields() -> set[tuple[str, str]]:
    """(form class, field) for every field of the project's forms that picks a
    row by its id or code."""
    found = set()
    for module in _form_modules():
        for name, form_class in inspect.getmembers(module, inspect.isclass):
            if not (
                issubclass(form_class, forms.BaseForm)
                and form_class.__module__ == module.__name__
            ):
                continue
            for field_name, form_field in form_class.base_fields.items():
                # The one-time submission token picks no record: a token is
                # claimed per person (tests/security/test_double_submit_race.py).
                if field_name in FormTokenForm.base_fields:
                    continue
                if isinstance(form_field, ID_FIELDS):
                    found.add((f"{module.__name__}.{name}", field_name))
    return found


@dataclass
class Case:
    """Where a field is offered, to whom, and the foreign value to try.

    ``foreign`` returns the other partnership's row; ``data`` the rest of a
    valid-looking submission. ``ignored``: the page does not take the field at
    all (it shows the value read-only), so the check is that the stored value
    did not change.
    """

    url: str
    role: str
    foreign: object
    data: object = None
    method: str = "post"
    many: bool = False
    by_code: bool = False
    ignored: object = None
    extra: dict = field(default_factory=dict)


def outsider(role):
    return lambda world: world.outsiders[role]


def outsider_org(role):
    return lambda world: world.outsiders[role].organization


def foreign_clinic(world):
    return world.outsiders[Role.CLINIC_STAFF].site


def foreign_partnership(world):
    return Partnership.objects.get(
        health_system=world.outsiders[Role.CLINIC_STAFF].organization
    )


def foreign_referral(world):
    return Referral.objects.filter(
        partnership__health_system=world.outsiders[Role.CLINIC_STAFF].organization
    ).first()


def foreign_theme(world):
    return stories.theme_save(
        actor=world.outsiders[Role.PROGRAM_MANAGER], name="Housing (theirs)"
    )


def foreign_service(world):
    return _resource(world.outsiders[Role.SUPERVISOR])


def partnership_edit_data(world):
    """A complete edit, organizations included (as a form that offered them
    would send them)."""
    home = world.partnership
    return {
        "health_system": home.health_system_id,
        "cbo": home.cbo_id,
        "name": home.name,
        "status": home.status,
        "clinics": [site.pk for site in home.clinics.all()],
        "time_zone": home.time_zone,
        "business_days": [str(day) for day in home.business_days],
    }


def stored_organizations(world):
    stored = Partnership.objects.get(pk=world.partnership.pk)
    return (stored.health_system_id, stored.cbo_id)


def home_code(world):
    return {"code": world.partnership.code}


def record_code(name):
    return lambda world: {"code": world.records[name].code}


def patient_code(world):
    return {"code": world.records["working"].patient.code}


def referral_form_data(world):
    return {
        "clinic": world.users["clinic"].site_id,
        "social_needs": ["food-insecurity"],
        "urgency": "routine",
        "consent_given": "on",
        "action": "submit",
    }


EDIT = "partners:partnership-edit"
MATRIX = {
    ("partners.forms.PartnershipForm", "health_system"): [
        Case(
            "partners:partnership-new",
            "manager",
            outsider_org(Role.CLINIC_STAFF),
            data=lambda world: {
                "name": "Unasked",
                "cbo": world.users["supervisor"].organization_id,
                "time_zone": "America/Los_Angeles",
                "business_days": ["0"],
            },
        ),
        Case(
            EDIT,
            "manager",
            outsider_org(Role.CLINIC_STAFF),
            data=partnership_edit_data,
            ignored=stored_organizations,
            extra={"kwargs": home_code},
        ),
    ],
    # Creating, the CBO field offers every CBO: the chosen one is only invited
    # (partners.invitations), and sees nothing until it accepts.
    ("partners.forms.PartnershipForm", "cbo"): [
        Case(
            EDIT,
            "manager",
            outsider_org(Role.SUPERVISOR),
            data=partnership_edit_data,
            ignored=stored_organizations,
            extra={"kwargs": home_code},
        )
    ],
    ("partners.forms.PartnershipForm", "clinics"): [
        Case(
            EDIT,
            "manager",
            foreign_clinic,
            data=partnership_edit_data,
            many=True,
            extra={"kwargs": home_code},
        )
    ],
    ("partners.forms.PartnershipForm", "health_system_contact"): [
        Case(
            EDIT,
            "manager",
            outsider(Role.PROGRAM_MANAGER),
            data=partnership_edit_data,
            extra={"kwargs": home_code},
        )
    ],
    ("partners.forms.PartnershipForm", "cbo_contact"): [
        Case(
            EDIT,
            "manager",
            outsider(Role.SUPERVISOR),
            data=partnership_edit_data,
            extra={"kwargs": home_code},
        )
    ],
    ("partners.forms.PlanTaskForm", "owner"): [
        Case(
            "partners:plan-task-new",
            "manager",
            outsider(Role.PROGRAM_MANAGER),
            data=lambda world: {
                "step": 1,
                "title": "Meet",
                "status": PlanTask.Status.NOT_STARTED,
            },
            extra={"kwargs": home_code},
        )
    ],
    ("partners.forms.TrainingSessionForm", "audience"): [
        Case(
            "partners:training-session-new",
            "manager",
            outsider_org(Role.SUPERVISOR),
            data=lambda world: {"title": "Orientation", "held_on": "2026-01-05"},
            extra={"kwargs": home_code},
        )
    ],
    ("partners.forms.TrainingSessionForm", "attendees"): [
        Case(
            "partners:training-session-new",
            "manager",
            outsider(Role.NAVIGATOR),
            data=lambda world: {"title": "Orientation", "held_on": "2026-01-05"},
            many=True,
            extra={"kwargs": home_code},
        )
    ],
    ("evaluation.forms.CodeForm", "theme"): [
        Case(
            "evaluation:story-code",
            "manager",
            foreign_theme,
            data=lambda world: {"excerpt": "the pantry"},
            extra={"kwargs": record_code("story")},
        )
    ],
    ("evaluation.forms.DashboardFilterForm", "clinic"): [
        Case("evaluation:dashboard", "manager", foreign_clinic, method="get")
    ],
    ("evaluation.forms.DashboardFilterForm", "navigator"): [
        Case("evaluation:dashboard", "manager", outsider(Role.NAVIGATOR), method="get")
    ],
    ("evaluation.forms.StoryFilterForm", "theme"): [
        Case("evaluation:story-list", "manager", foreign_theme, method="get")
    ],
    ("evaluation.forms.StoryForm", "referral"): [
        Case(
            "evaluation:story-new",
            "navigator",
            foreign_referral,
            data=lambda world: {"title": "Mine", "text": "A story."},
            extra={"kwargs": patient_code},
        )
    ],
    ("referrals.forms.directory.ResourceServiceForm", "organization"): [
        Case(
            "referrals:resource-create",
            "supervisor",
            lambda world: foreign_service(world).organization,
            data=lambda world: {"name": "Pantry"},
        )
    ],
    ("referrals.forms.intake.ReferralForm", "clinic"): [
        Case(
            "referrals:referral-create",
            "clinic",
            foreign_clinic,
            data=referral_form_data,
            extra={
                "kwargs": lambda world: {
                    "patient_code": world.records["draft"].patient.code
                }
            },
        )
    ],
    ("referrals.forms.intake.ReferralForm", "partnership"): [
        Case(
            "referrals:referral-create",
            "clinic",
            foreign_partnership,
            data=referral_form_data,
            extra={
                "kwargs": lambda world: {
                    "patient_code": world.records["draft"].patient.code
                }
            },
        )
    ],
    ("referrals.forms.referral.AssignForm", "navigator"): [
        Case(
            "referrals:referral-assign",
            "supervisor",
            outsider(Role.NAVIGATOR),
            data=lambda world: {"version": world.records["accepted"].version},
            extra={"kwargs": record_code("accepted")},
        )
    ],
    ("referrals.forms.referral.ShareForm", "navigator"): [
        Case(
            "referrals:referral-share",
            "supervisor",
            outsider(Role.NAVIGATOR),
            extra={"kwargs": record_code("working")},
        )
    ],
    ("referrals.forms.finding.AllReferralsFilterForm", "clinic"): [
        Case(
            "referrals:all-referrals",
            role,
            foreign_clinic,
            method="get",
            by_code=True,
        )
        for role in ("supervisor", "manager")
    ],
    ("referrals.forms.finding.AllReferralsFilterForm", "navigator"): [
        Case(
            "referrals:all-referrals",
            role,
            outsider(Role.NAVIGATOR),
            method="get",
            by_code=True,
        )
        for role in ("supervisor", "manager")
    ],
    ("referrals.forms.rerouting.RerouteForm", "partnership"): [
        Case(
            "referrals:referral-reroute",
            "clinic",
            foreign_partnership,
            data=lambda world: {"consent": "on"},
            extra={"kwargs": record_code("working")},
        )
    ],
    ("referrals.forms.referral.ClinicListFilterForm", "clinic"): [
        Case("referrals:clinic-referral-list", "clinic", foreign_clinic, method="get")
    ],
    ("referrals.forms.referral.InboxFilterForm", "clinic"): [
        Case("referrals:inbox", "supervisor", foreign_clinic, method="get")
    ],
    ("referrals.forms.work.ResourceLinkForm", "service"): [
        Case(
            "referrals:pathway-resource-link",
            "navigator",
            foreign_service,
            by_code=True,
            extra={"kwargs": record_code("pathway")},
        )
    ],
}

CASES = [
    pytest.param(
        form, field_name, index, id=f"{form.rsplit('.', 1)[1]}.{field_name}-{index}"
    )
    for (form, field_name), cases in sorted(MATRIX.items())
    for index in range(len(cases))
]


def test_every_id_field_is_in_the_matrix():
    assert id_fields() == set(MATRIX)


def _form_of(response, form_path):
    name = form_path.rsplit(".", 1)[1]
    contexts = response.context or []
    if not isinstance(contexts, list):
        contexts = [contexts]
    for context in contexts:
        for value in context.flatten().values():
            if isinstance(value, forms.BaseForm) and type(value).__name__ == name:
                return value
    return None


@pytest.mark.parametrize(("form_path", "field_name", "index"), CASES)
def test_a_foreign_id_is_refused_and_nothing_is_saved(
    world, signed_in, form_path, field_name, index
):
    case = MATRIX[(form_path, field_name)][index]
    kwargs = case.extra.get("kwargs", lambda world: {})(world)
    url = reverse(case.url, kwargs=kwargs)
    with transaction.atomic():
        foreign = case.foreign(world)
        value = str(foreign.code if case.by_code else foreign.pk)
        data = (case.data(world) if case.data else {}) | {
            field_name: [value] if case.many else value
        }
        kept = case.ignored(world) if case.ignored else None
        before = fingerprint()
        response = getattr(signed_in(world.users[case.role]), case.method)(url, data)
        after = fingerprint()
        if case.ignored:
            assert case.ignored(world) == kept
        elif response.status_code != 404:
            form = _form_of(response, form_path)
            assert form is not None, (url, response.status_code)
            assert field_name in form.errors, (url, form.errors)
            assert value not in {
                str(choice[0].value if hasattr(choice[0], "value") else choice[0])
                for choice in form.fields[field_name].choices
            }
        if case.method == "post" and not case.ignored:
            assert after == before
        transaction.set_rollback(True)
