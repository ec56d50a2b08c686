# Production image: the web process (gunicorn, the default command), the Celery worker and Celery beat
# all run from it; docker-compose.yml shows how. Configuration comes from environment variables only.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# gettext compiles the translations; pango, harfbuzz and the fonts are what WeasyPrint renders PDFs with.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends \
        gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY . .

# Translations and static files are built into the image. The secret key below exists only for this
# build step (settings refuse to load without one when DEBUG is off) and is not kept in the image.
RUN if [ -n "$(find . -name '*.po' -print -quit)" ]; then python manage.py compilemessages; fi \
    && DEBUG=False SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-0123456789 \
        python manage.py collectstatic --noinput

# Uploaded files, private files and the beat schedule live in volumes mounted on /data; the directories
# are created here so fresh volumes start out owned by the unprivileged user.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home app \
    && mkdir -p /data/media /data/private-media /data/beat \
    && chown -R app:app /data

ENV MEDIA_ROOT=/data/media \
    PRIVATE_MEDIA_ROOT=/data/private-media \
    WEB_CONCURRENCY=3

USER 10001:10001
EXPOSE 8000

# WEB_CONCURRENCY (read by gunicorn) sets the number of worker processes; each serves four threads.
# --reuse-port: each worker listens on its own socket and the kernel spreads connections over them; without
# it one worker may take most keep-alive connections (a proxy's pool) while the others idle.
CMD ["gunicorn", "config.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--reuse-port", \
     "--threads", "4", \
     "--timeout", "60", \
     "--graceful-timeout", "30", \
     "--keep-alive", "5", \
     "--max-requests", "1000", \
     "--max-requests-jitter", "100", \
     "--worker-tmp-dir", "/dev/shm", \
     "--no-control-socket", \
     "--access-logfile", "-", \
     "--error-logfile", "-"]
