"""Moving plan tasks follows the order shown, not the order they were created in."""

from partners import services


def titles(partnership, step):
    return list(
        partnership.plan_tasks.filter(step=step)
        .order_by("position")
        .values_list("title", flat=True)
    )


def test_a_task_moved_before_moves_from_where_it_now_is(partnership, manager):
    tasks = [
        services.plan_task_add(
            actor=manager, partnership=partnership, data={"step": 1, "title": title}
        )
        for title in ("Agree", "Budget", "Count")
    ]
    services.plan_task_move(actor=manager, task=tasks[2], up=True)
    assert titles(partnership, 1) == ["Agree", "Count", "Budget"]
    tasks[1].refresh_from_db()
    services.plan_task_move(actor=manager, task=tasks[1], up=True)
    assert titles(partnership, 1) == ["Agree", "Budget", "Count"]
