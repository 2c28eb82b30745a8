"""Background work: remove abandoned uploads (run daily by `manage.py db_worker` or cron)."""

from django_tasks import task

from uploads.services import uploads_cleanup


@task()
def uploads_cleanup_task() -> int:
    """Remove uploads nobody finished or claimed within a day; returns how many."""
    return uploads_cleanup()
