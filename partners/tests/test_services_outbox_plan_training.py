"""Partner services at their edges: the e-mail outbox (sent once, redelivered after
three minutes, oldest first), the language setting, who may create a partnership,
and the plan and training records."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from chwlink.lib import outbox
from chwlink.lib.models import OutboundEmail
from partners import services
from partners.models import PlanTask, RequiredTraining, User
from partners.tests.factories import OrganizationFactory, UserFactory

Role = User.Role


def queued(**fields):
    data = {"to": "ana@example.org", "subject": "Hello", "body_text": "Text"} | fields
    return outbox.email_queue(**data)


# The outbox.


def test_a_queued_mail_is_handed_to_the_worker_once_the_transaction_commits(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr("chwlink.lib.outbox.email_send_task.delay", sent.append)
    with django_capture_on_commit_callbacks(execute=True):
        email = queued()
        assert sent == []
    assert sent == [email.pk]
    assert email.status == OutboundEmail.Status.PENDING


def test_a_mail_is_sent_once_with_its_html_and_attachment(db, time_machine):
    time_machine.move_to("2026-03-02 17:00:00+00:00", tick=False)
    email = queued(
        body_html="<p>Text</p>",
        attachment=("report.csv", "a,b\n", "text/csv"),
    )
    assert outbox.email_send(email_id=email.pk) is True
    assert outbox.email_send(email_id=email.pk) is False
    [message] = mail.outbox
    assert (message.to, message.subject, message.body) == (
        ["ana@example.org"],
        "Hello",
        "Text",
    )
    assert message.alternatives[0][:2] == ("<p>Text</p>", "text/html")
    assert message.attachments == [("report.csv", "a,b\n", "text/csv")]
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.attempts == 1
    assert email.sent_at == datetime.datetime(2026, 3, 2, 17, tzinfo=datetime.UTC)


def test_a_plain_mail_has_no_alternative_and_no_attachment(db):
    email = queued()
    outbox.email_send(email_id=email.pk)
    [message] = mail.outbox
    assert message.alternatives == []
    assert message.attachments == []


def test_a_mail_not_pending_any_more_is_not_sent(db):
    email = queued()
    OutboundEmail.objects.filter(pk=email.pk).update(status=OutboundEmail.Status.FAILED)
    assert outbox.email_send(email_id=email.pk) is False
    assert mail.outbox == []


def test_mail_pending_for_three_minutes_is_redelivered_oldest_first(db, time_machine):
    time_machine.move_to("2026-03-02 17:00:00+00:00", tick=False)
    oldest = queued()
    time_machine.move_to("2026-03-02 17:00:30+00:00", tick=False)
    older = queued()
    sent = queued()
    outbox.email_send(email_id=sent.pk)
    time_machine.move_to("2026-03-02 17:01:00+00:00", tick=False)
    just_now = queued()
    time_machine.move_to("2026-03-02 17:04:00+00:00", tick=False)
    # Exactly three minutes old is not yet overdue.
    assert outbox.email_pending_ids_to_redeliver() == [oldest.pk, older.pk]
    assert outbox.email_pending_ids_to_redeliver(batch_size=1) == [oldest.pk]
    time_machine.move_to("2026-03-02 17:04:00.000001+00:00", tick=False)
    assert just_now.pk in outbox.email_pending_ids_to_redeliver()


# People.


def test_the_interface_language_is_remembered_and_only_a_known_one(navigator):
    services.user_set_language(user=navigator, language="es")
    navigator.refresh_from_db()
    assert navigator.language == "es"
    with pytest.raises(ValidationError):
        services.user_set_language(user=navigator, language="fr")
    navigator.refresh_from_db()
    assert navigator.language == "es"


def test_an_idle_timeout_sign_out_leaves_the_other_devices_signed_in(client, navigator):
    from allauth.usersessions.models import UserSession
    from django.test import RequestFactory

    from partners.tests.factories import PASSWORD

    client.post("/accounts/login/", {"login": navigator.email, "password": PASSWORD})
    request = RequestFactory().get("/")
    request.chwlink_session_expired = True
    services.user_sessions_end_on_sign_out(sender=User, request=request, user=navigator)
    assert UserSession.objects.filter(user=navigator).exists()
    services.user_sessions_end_on_sign_out(sender=User, request=None, user=None)
    assert UserSession.objects.filter(user=navigator).exists()
    services.user_sessions_end_on_sign_out(sender=User, request=None, user=navigator)
    assert not UserSession.objects.filter(user=navigator).exists()


# Who may create a partnership.


def partnership_data(health_system, cbo):
    return {"name": "New partnership", "health_system": health_system, "cbo": cbo}


def test_a_manager_creates_a_partnership_of_their_own_organization_only(
    manager, partnership
):
    strangers = OrganizationFactory(), OrganizationFactory(kind="cbo")
    with pytest.raises(PermissionDenied):
        services.partnership_create(actor=manager, data=partnership_data(*strangers))
    created = services.partnership_create(
        actor=manager,
        data=partnership_data(partnership.health_system, strangers[1]),
    )
    assert created.plan_tasks.exists()


def test_a_cbo_manager_may_create_one_with_their_cbo(partnership):
    cbo_manager = UserFactory(role=Role.PROGRAM_MANAGER, organization=partnership.cbo)
    created = services.partnership_create(
        actor=cbo_manager,
        data=partnership_data(OrganizationFactory(), partnership.cbo),
    )
    assert created.cbo == partnership.cbo


def test_supervisors_cannot_create_partnerships(supervisor, partnership):
    with pytest.raises(PermissionDenied):
        services.partnership_create(
            actor=supervisor,
            data=partnership_data(partnership.health_system, partnership.cbo),
        )


# The plan.


@pytest.fixture
def plan(partnership):
    services.plan_create_default(partnership=partnership)
    return partnership


def tasks_of(partnership, step):
    return list(partnership.plan_tasks.filter(step=step).order_by("position"))


def test_a_task_moved_to_another_step_goes_to_its_end(plan, manager):
    task = tasks_of(plan, 1)[0]
    last = tasks_of(plan, 2)[-1]
    services.plan_task_update(actor=manager, task=task, data={"step": 2})
    assert tasks_of(plan, 2)[-1] == task
    assert task.position == last.position + 1


def test_a_task_added_to_an_empty_step_is_first(partnership, manager):
    task = services.plan_task_add(
        actor=manager, partnership=partnership, data={"step": 3, "title": "Sign"}
    )
    assert task.position == 1


def test_reopening_a_done_task_clears_when_it_was_done(plan, manager, time_machine):
    time_machine.move_to("2026-03-02 17:00:00+00:00", tick=False)
    task = services.plan_task_complete(actor=manager, task=tasks_of(plan, 1)[0])
    done_at = task.completed_at
    assert done_at == datetime.datetime(2026, 3, 2, 17, tzinfo=datetime.UTC)
    time_machine.move_to("2026-03-05 17:00:00+00:00", tick=False)
    task = services.plan_task_update(actor=manager, task=task, data={"notes": "Ok"})
    assert task.completed_at == done_at
    task = services.plan_task_update(
        actor=manager, task=task, data={"status": PlanTask.Status.IN_PROGRESS}
    )
    assert task.completed_at is None


def test_moving_a_task_down_swaps_it_and_the_last_stays_last(plan, manager):
    first, second, *_rest = tasks_of(plan, 1)
    services.plan_task_move(actor=manager, task=first, up=False)
    assert tasks_of(plan, 1)[:2] == [second, first]
    last = tasks_of(plan, 1)[-1]
    order = tasks_of(plan, 1)
    services.plan_task_move(actor=manager, task=last, up=False)
    assert tasks_of(plan, 1) == order


def test_a_supervisor_cannot_change_the_plan(plan, supervisor):
    with pytest.raises(PermissionDenied):
        services.plan_task_move(actor=supervisor, task=tasks_of(plan, 1)[0], up=True)


# Training records.


def test_editing_a_session_removes_the_people_no_longer_listed(
    partnership, manager, navigator, supervisor
):
    data = {
        "title": "Orientation",
        "kind": "chw_orientation",
        "trainer": "Rosa",
        "audience": partnership.cbo,
        "held_on": datetime.date(2026, 3, 2),
    }
    session = services.training_session_save(
        actor=manager,
        partnership=partnership,
        data={**data, "attendees": [navigator, supervisor]},
    )
    services.training_session_save(
        actor=manager,
        partnership=partnership,
        session=session,
        data={**data, "attendees": [supervisor]},
    )
    assert [a.person for a in session.attendance.all()] == [supervisor]


def test_a_required_training_rule_is_updated_not_duplicated(partnership, manager):
    rule = {"role": Role.NAVIGATOR, "kind": "chw_orientation", "due_within_days": 30}
    services.required_training_save(actor=manager, partnership=partnership, data=rule)
    services.required_training_save(
        actor=manager,
        partnership=partnership,
        data={**rule, "due_within_days": 10, "renew_every_months": 12},
    )
    [saved] = RequiredTraining.objects.filter(partnership=partnership)
    assert (saved.due_within_days, saved.renew_every_months) == (10, 12)
