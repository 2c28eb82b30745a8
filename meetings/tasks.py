"""Background work of meetings (django-tasks): the daily reminders to branch secretaries."""

from django_tasks import task

from meetings.reminders import reminders_send


@task()
def send_meeting_reminders() -> int:
    """Notify branch secretaries of meetings due and terms ending; returns how many notices."""
    return reminders_send()
