"""The implementation plan: six steps of default tasks, added, reordered, completed."""

import datetime

import pytest
from django.urls import reverse

from partners import services
from partners.models import PlanTask


@pytest.fixture
def plan(partnership):
    services.plan_create_default(partnership=partnership)
    return partnership


def step_titles(partnership, step):
    return list(
        partnership.plan_tasks.filter(step=step)
        .order_by("position")
        .values_list("title", flat=True)
    )


def test_default_plan_follows_the_six_steps_and_is_created_once(plan):
    services.plan_create_default(partnership=plan)
    assert sorted(set(plan.plan_tasks.values_list("step", flat=True))) == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]
    assert "Develop partnership and business contracts" in step_titles(plan, 3)
    assert "Define the referral process and work flow" in step_titles(plan, 4)
    count = plan.plan_tasks.count()
    services.plan_create_default(partnership=plan)
    assert plan.plan_tasks.count() == count


def test_manager_adds_a_task_at_the_end_of_its_step(login, plan, manager):
    response = login(manager).post(
        reverse("partners:plan-task-new", args=[plan.code]),
        {
            "step": "4",
            "title": "Agree on a shared referral form",
            "owner": manager.pk,
            "due_on": "2026-05-01",
            "status": "todo",
        },
    )
    assert response.status_code == 302
    assert step_titles(plan, 4)[-1] == "Agree on a shared referral form"


def test_the_task_form_shows_errors_and_keeps_the_input(login, plan, manager):
    response = login(manager).post(
        reverse("partners:plan-task-new", args=[plan.code]),
        {"step": "4", "title": "", "notes": "Ask the clinic leads", "status": "todo"},
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert "Ask the clinic leads" in response.content.decode()


def test_moving_a_task_up_swaps_it_with_the_one_above(login, plan, manager):
    before = step_titles(plan, 3)
    second = plan.plan_tasks.get(step=3, title=before[1])
    login(manager).post(
        reverse("partners:plan-task-move", args=[second.code]), {"direction": "up"}
    )
    assert step_titles(plan, 3) == [before[1], before[0], *before[2:]]


def test_moving_the_first_task_up_changes_nothing(plan, manager):
    before = step_titles(plan, 3)
    first = plan.plan_tasks.get(step=3, title=before[0])
    services.plan_task_move(actor=manager, task=first, up=True)
    assert step_titles(plan, 3) == before


def test_completing_a_task_records_when_and_counts_in_the_progress(
    login, plan, manager
):
    task = plan.plan_tasks.filter(step=1).first()
    client = login(manager)
    client.post(reverse("partners:plan-task-complete", args=[task.code]))
    task.refresh_from_db()
    assert task.status == PlanTask.Status.DONE
    assert task.completed_at is not None
    page = client.get(reverse("partners:plan", args=[plan.code])).content.decode()
    assert "1 of 3 done" in page


def test_overdue_tasks_are_listed_at_the_top_of_the_plan(
    login, plan, manager, clinic_user
):
    task = plan.plan_tasks.filter(step=4).first()
    services.plan_task_update(
        actor=manager,
        task=task,
        data={"due_on": datetime.date.today() - datetime.timedelta(days=3)},
    )
    page = login(clinic_user).get(reverse("partners:plan", args=[plan.code]))
    content = page.content.decode()
    assert "1 task is overdue." in content
    assert task.title in content
    assert "Mark done" not in content


def test_plan_page_uses_a_constant_number_of_queries(
    login, plan, manager, django_assert_max_num_queries
):
    for task in plan.plan_tasks.all():
        services.plan_task_update(actor=manager, task=task, data={"owner": manager})
    client = login(manager)
    # session, user, navigation organization, partnership, tasks with owners,
    # progress per step, then the session save (savepoint, update, release)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("partners:plan", args=[plan.code]))
    assert response.status_code == 200
