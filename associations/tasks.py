"""Scheduled grant work for Celery beat: thin wrappers around :mod:`associations.applications`.

Both are safe to run any number of times a day: an application moves to *report due* once, and each
reminder is claimed by a conditional update before it is sent.
"""

from celery import shared_task

from . import applications


@shared_task
def mark_reports_due() -> int:
    """Daily: move paid applications whose follow-up report is due soon into *report due*."""
    return applications.mark_reports_due()


@shared_task
def send_report_reminders() -> int:
    """Daily: remind associations before a follow-up report is due and once more when it is overdue."""
    return applications.send_report_reminders()
