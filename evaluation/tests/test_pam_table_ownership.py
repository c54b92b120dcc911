"""A licensed table belongs to one organization: installing or stopping one leaves
the other partner's table in force, and only that organization's program manager
may stop it."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from evaluation.services.pam import (
    pam_active_table,
    pam_record,
    pam_table_deactivate,
    pam_table_upload,
)
from evaluation.tests.factories import caseload_referral
from partners.tests.factories import UserFactory

ONE_ITEM = [None] * 12 + [3]


@pytest.fixture
def cbo_manager(partnership):
    return UserFactory(role="program_manager", organization=partnership.cbo)


def upload(actor, score, name):
    return pam_table_upload(
        actor=actor, name=name, cut_set="current", license_reference="L-1",
        table_csv=f"answered,raw_sum,score\n1,3,{score}\n", wording_csv="",
    )  # fmt: skip


@time_machine.travel("2026-03-10 18:00Z")
def test_when_the_health_system_stops_its_table_the_cbos_scores_again(
    manager, cbo_manager, partnership, supervisor, navigator
):
    referral = caseload_referral(
        partnership=partnership, supervisor=supervisor, navigator=navigator
    )
    cbo_table = upload(cbo_manager, "40.0", "CBO")
    health_table = upload(manager, "50.0", "Health system")
    pam_table_deactivate(actor=manager, table=health_table)
    assert pam_active_table(partnership=partnership) == cbo_table
    pam = pam_record(
        actor=navigator, patient=referral.patient,
        administered_on=datetime.date(2026, 3, 10), language="es", mode="phone",
        kind="baseline", answers=ONE_ITEM,
    )  # fmt: skip
    assert (pam.score, pam.conversion_table.name) == (Decimal("40.0"), "CBO")
    # The license the organization holds stays on record with its table.
    assert cbo_table.license_reference == "L-1"


def test_staff_of_the_tables_own_organization_may_not_stop_it(
    cbo_manager, supervisor, navigator, partnership
):
    table = upload(cbo_manager, "40.0", "CBO")
    for actor in (supervisor, navigator):
        with pytest.raises(PermissionDenied):
            pam_table_deactivate(actor=actor, table=table)
    assert pam_active_table(partnership=partnership) == table
