"""Every URL, every role: the status the access matrix expects, and a refused POST
changes nothing; a user of another partnership gets 404 on every object URL."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from chwlink.lib.models import AccessRecord
from partners import services as partner_services
from partners.models import Contract
from referrals.models import Notification, Referral
from tests.security.conftest import ROLES, fingerprint, object_url_names
from tests.security.matrix import LOGIN, MATRIX
from tests.security.world import PDF, Role

pytestmark = pytest.mark.django_db

REFUSED = {LOGIN, 403, 404, 405}
OUTSIDER_COLUMN = {
    Role.CLINIC_STAFF: "clinic",
    Role.SUPERVISOR: "supervisor",
    Role.NAVIGATOR: "navigator",
    Role.PROGRAM_MANAGER: "manager",
}


def outcome(response):
    if response.status_code == 302 and response["Location"].startswith(
        reverse("account_login")
    ):
        return LOGIN
    return response.status_code


def request_both(client, url, post_data, baseline):
    """GET and POST in a savepoint rolled back afterwards, so the next role finds
    the same records (``baseline``); report whether a refused POST changed any."""
    with transaction.atomic():
        got = outcome(client.get(url))
        posted = outcome(client.post(url, post_data))
        changed = posted in REFUSED and got in REFUSED and fingerprint() != baseline
        transaction.set_rollback(True)
    return got, posted, changed


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_the_status_the_matrix_expects(world, signed_in, name):
    url = reverse(name, kwargs=world.kwargs.get(name, {}))
    users = {"anonymous": None} | world.users
    baseline = fingerprint()
    wrong = []
    for role in ROLES:
        got, posted, changed = request_both(
            signed_in(users[role]), url, world.post_data.get(name, {}), baseline
        )
        if (got, posted) != MATRIX[name][role]:
            wrong.append(f"{role}: got {(got, posted)}, expected {MATRIX[name][role]}")
        if changed:
            wrong.append(f"{role}: a refused POST ({posted}) changed data")
    assert not wrong, f"{url}\n" + "\n".join(wrong)


# A URL without a matrix row fails the inventory test; here it would only add noise.
@pytest.mark.parametrize("name", sorted(set(object_url_names()) & set(MATRIX)))
def test_users_of_another_partnership_get_404_on_every_object_url(
    world, signed_in, name
):
    url = reverse(name, kwargs=world.kwargs[name])
    baseline = fingerprint()
    wrong = []
    for role, user in world.outsiders.items():
        home = MATRIX[name][OUTSIDER_COLUMN[role]]
        got, posted, changed = request_both(
            signed_in(user), url, world.post_data.get(name, {}), baseline
        )
        for method, status, at_home in (
            ("GET", got, home[0]),
            ("POST", posted, home[1]),
        ):
            # A stranger learns nothing: 404, or the very refusal (403 for the role,
            # 405 for the method) that the same role gets at home.
            if status != 404 and not (status == at_home and at_home in {403, 405}):
                wrong.append(f"{role} {method}: got {status}, at home {at_home}")
        if changed:
            wrong.append(f"{role}: a refused POST changed data")
        if got == 404 and not denied_access_recorded(signed_in(user), user, url):
            wrong.append(f"{role}: the refused GET left no access record")
    assert not wrong, f"{url}\n" + "\n".join(wrong)


def denied_access_recorded(client, user, url) -> bool:
    with transaction.atomic():
        before = AccessRecord.objects.filter(user=user, action="denied").count()
        client.get(url)
        after = AccessRecord.objects.filter(user=user, action="denied").count()
        transaction.set_rollback(True)
    return after == before + 1


def test_clinic_staff_cannot_download_a_payment_agreement(world, signed_in):
    # The matrix's contract is a service contract; payment terms stay hidden.
    contract = Contract.objects.filter(
        partnership=world.partnership, kind=Contract.Kind.PAYMENT
    ).first()
    partner_services.contract_save(
        actor=world.users["manager"],
        partnership=world.partnership,
        contract=contract,
        data={},
        document=SimpleUploadedFile("payment.pdf", PDF, "application/pdf"),
    )
    url = reverse("partners:contract-document", kwargs={"code": contract.code})
    assert signed_in(world.users["clinic"]).get(url).status_code == 403
    assert signed_in(world.users["manager"]).get(url).status_code == 200


def test_the_fingerprint_notices_the_changes_a_refused_post_could_make(world):
    baseline = fingerprint()
    referral = Referral.objects.get(
        code=world.kwargs["referrals:referral-edit"]["code"]
    )
    for change in (
        lambda: Referral.objects.filter(pk=referral.pk).update(status="submitted"),
        lambda: Notification.objects.filter(
            code=world.kwargs["referrals:notification-open"]["code"]
        ).update(read_at=timezone.now()),
        lambda: Referral.objects.filter(pk=referral.pk).update(updated=timezone.now()),
    ):
        with transaction.atomic():
            change()
            assert fingerprint() != baseline
            transaction.set_rollback(True)
    assert fingerprint() == baseline


# Pages an MFA-pending user may still open: switching language, the session check.
OPEN_BEFORE_MFA = {"partners:language", "session-status"}
HOME_ROLES = ("clinic", "supervisor", "navigator", "manager", "administrator")


@pytest.mark.parametrize("role", HOME_ROLES)
def test_mfa_pending_users_reach_no_page_until_they_set_it_up(world, signed_in, role):
    """The partnership comes to require MFA for the role; this person has none yet."""
    user = world.users[role]
    baseline = fingerprint()
    setup = reverse("mfa_activate_totp")
    wrong = []
    with transaction.atomic():
        partner_services.partnership_update(
            actor=world.users["manager"],
            partnership=world.partnership,
            data={"mfa_required_roles": [user.role]},
        )
        client = signed_in(user)
        for name in sorted(set(MATRIX) - OPEN_BEFORE_MFA):
            url = reverse(name, kwargs=world.kwargs.get(name, {}))
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                if response.status_code != 302 or not response["Location"].startswith(
                    setup
                ):
                    wrong.append(f"{method.upper()} {name}: {response.status_code}")
        transaction.set_rollback(True)
    assert wrong == []
    assert fingerprint() == baseline
