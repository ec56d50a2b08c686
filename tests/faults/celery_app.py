"""The Celery app of the fault tests' workers: the project's app, with test timings from the environment.

* FAULTS_VISIBILITY_TIMEOUT: seconds before a message taken by a worker that died goes back on the queue
  (one hour in production), checked every second.
* FAULTS_EMAIL_MAX_RETRIES: send_email retries this often, 1 s then 2 s then 4 s… apart (no jitter), so a
  refusing mail server is given up on in seconds instead of an hour.
* FAULTS_RENDER_DELAY: seconds each report PDF takes longer to render (a worker can be killed meanwhile).
* FAULTS_STALE_AFTER: seconds after which a running report may be claimed again (30 minutes in production).
"""

import os
import time
from datetime import timedelta

import django

from config.celery import app

django.setup()
app.loader.import_default_modules()

if os.environ.get("FAULTS_VISIBILITY_TIMEOUT"):
    app.conf.broker_transport_options = {
        **app.conf.broker_transport_options,
        "visibility_timeout": int(os.environ["FAULTS_VISIBILITY_TIMEOUT"]),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }

if os.environ.get("FAULTS_EMAIL_MAX_RETRIES"):
    from celery.app.autoretry import add_autoretry_behaviour

    send_email = app.tasks["accounts.tasks.send_email"]
    send_email.run = send_email._orig_run  # unwrap, then wrap again with the test's backoff
    del send_email._orig_run
    send_email.max_retries = int(os.environ["FAULTS_EMAIL_MAX_RETRIES"])
    add_autoretry_behaviour(send_email, retry_backoff=1, retry_backoff_max=8, retry_jitter=False)

if os.environ.get("FAULTS_RENDER_DELAY") or os.environ.get("FAULTS_STALE_AFTER"):
    from followup import reports

    render_pdf = reports.render_pdf
    delay = float(os.environ.get("FAULTS_RENDER_DELAY") or 0)

    def slow_render_pdf(context: dict) -> bytes:
        time.sleep(delay)
        return render_pdf(context)

    reports.render_pdf = slow_render_pdf
    if os.environ.get("FAULTS_STALE_AFTER"):
        reports.STALE_AFTER = timedelta(seconds=float(os.environ["FAULTS_STALE_AFTER"]))
