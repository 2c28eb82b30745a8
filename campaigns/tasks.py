"""Background work of campaigns (django-tasks): the daily deadline reminders.

Cron (or a systemd timer) runs `manage.py campaign_reminders` once a day; it enqueues
send_deadline_reminders, which `manage.py db_worker` then runs.
"""

from django_tasks import task

from campaigns.services import reminders_send


@task()
def send_deadline_reminders() -> int:
    """Remind units that have not submitted for a deadline within three days (notices, and
    e-mail as before); returns how many reminders were recorded."""
    return len(reminders_send())
