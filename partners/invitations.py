"""Partnership invitations: a program manager proposes, the other side answers.

A partnership a program manager creates names their own organization and one
other; it stays an invitation, through which no referral goes and neither side
sees the other's people or directory, until a program manager of the other
organization (or an administrator) accepts it. Both sides hear of each step.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chwlink.lib.submissions import claims_form_token
from partners.access import may_answer_invitation, may_withdraw_invitation
from partners.models import Organization, Partnership, User
from partners.services import partnership_create
from referrals.models import Notification
from referrals.services.notifications import notify

Kind = Notification.Kind
Status = Partnership.Status


def _managers(*organization_ids, besides: User):
    return User.objects.filter(
        organization_id__in=organization_ids,
        role=User.Role.PROGRAM_MANAGER,
        is_active=True,
    ).exclude(pk=besides.pk)


def _tell(*, kind: str, partnership: Partnership, acting: Organization, recipients):
    notify(
        kind=kind,
        recipients=list(recipients),
        link=reverse("partners:partnership-detail", args=[partnership.code]),
        context={"partnership": partnership.name, "organization": acting.name},
    )


@claims_form_token
def partnership_invite(*, actor: User, data: dict) -> Partnership:
    """Propose a partnership; the other organization's program managers are told.

    An administrator's partnership needs no answer: it is created as given.
    """
    with transaction.atomic():
        partnership = partnership_create(actor=actor, data=data)
        if partnership.is_invitation:
            _tell(
                kind=Kind.PARTNERSHIP_INVITATION,
                partnership=partnership,
                acting=actor.organization,
                recipients=_managers(
                    partnership.invited_organization_id, besides=actor
                ),
            )
    return partnership


class InvitationAnswered(ValidationError):
    """Someone else answered the invitation first (or it was withdrawn)."""


def _answer(
    *, actor: User, partnership: Partnership, status: str, acting_id: int, kind: str
) -> Partnership:
    """Move an open invitation to ``status`` with one conditional update, so of two
    people answering at once only the first one counts; ``acting_id`` is the
    organization the answer is given for (an administrator answers for the
    invited one)."""
    now = timezone.now()
    with transaction.atomic():
        answered = Partnership.objects.filter(
            pk=partnership.pk, status=Status.INVITED
        ).update(status=status, answered_by=actor, answered_at=now, updated=now)
        if not answered:
            raise InvitationAnswered(_("This invitation was already answered."))
        partnership.refresh_from_db()
        _tell(
            kind=kind,
            partnership=partnership,
            acting=Organization.objects.get(pk=acting_id),
            recipients=_managers(
                partnership.health_system_id, partnership.cbo_id, besides=actor
            ),
        )
    return partnership


def partnership_invitation_accept(
    *, actor: User, partnership: Partnership
) -> Partnership:
    """The invited organization agrees: the partnership starts, in planning, and
    its managers may now make it active, name contacts and add clinics."""
    if not may_answer_invitation(actor, partnership):
        raise PermissionDenied
    return _answer(
        actor=actor,
        partnership=partnership,
        status=Status.PLANNING,
        acting_id=partnership.invited_organization_id,
        kind=Kind.PARTNERSHIP_ACCEPTED,
    )


def partnership_invitation_decline(
    *, actor: User, partnership: Partnership
) -> Partnership:
    """The invited organization says no, or the inviting one withdraws; the
    declined invitation is kept, and the two may be invited again."""
    if may_withdraw_invitation(actor, partnership):
        acting_id = partnership.inviting_organization_id
        kind = Kind.PARTNERSHIP_WITHDRAWN
    elif may_answer_invitation(actor, partnership):
        acting_id = partnership.invited_organization_id
        kind = Kind.PARTNERSHIP_DECLINED
    else:
        raise PermissionDenied
    return _answer(
        actor=actor,
        partnership=partnership,
        status=Status.DECLINED,
        acting_id=acting_id,
        kind=kind,
    )
