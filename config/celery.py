"""Celery application: tasks are autodiscovered from each app's ``tasks.py``.

Every task acknowledges late (a worker that dies mid-task leaves it on the queue for the next one) and
retries with exponential backoff, so a failing task is retried and never silently dropped.
"""

import os

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


class BaseTask(Task):
    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = (Exception,)
    max_retries = 6
    retry_backoff = 5
    retry_backoff_max = 600
    retry_jitter = True


app = Celery("aldersvanlig_bygd", task_cls=BaseTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
