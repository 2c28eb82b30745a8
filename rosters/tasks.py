"""Background work of the rosters app (django-tasks; `manage.py db_worker` runs it)."""

from typing import Any

from django_tasks import task

from rosters.services import roster_solve_run


@task()
def roster_solve_task(roster_id: int, problem: dict[str, Any] | None = None) -> str:
    """自动排班: build the problem, solve it with live progress, keep the best roster."""
    return roster_solve_run(roster_id, problem)
