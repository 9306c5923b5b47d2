# DSRS application image: one image for every process (web, relay, consumers, Celery beat and worker,
# migrations); the Kubernetes manifests in deploy/k8s choose the command.
#
#   docker build -t dsrs:dev .
#   docker run --env-file prod.env -p 8000:8000 dsrs:dev
#
# The image runs the production profile (DSRS_PROFILE=production), which refuses to start without
# DJANGO_SECRET_KEY, JWT_PRIVATE_KEY, BLIND_INDEX_KEY, DATABASE_URL, KAFKA_BOOTSTRAP_SERVERS, MONGODB_URI and REDIS_URL
# (see README.md, "Configuration").
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOME=/tmp

# A fixed numeric uid/gid, so that Kubernetes' runAsNonRoot can verify it.
RUN groupadd --system --gid 10001 dsrs \
 && useradd --system --uid 10001 --gid dsrs --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin dsrs

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them. Every pinned package ships a
# manylinux wheel for CPython 3.11 (psycopg[binary], confluent-kafka with librdkafka bundled), so no
# compiler is needed. requirements.txt also lists the test tools (pytest, factory-boy, import-linter).
COPY requirements.txt requirements-data.txt ./
RUN pip install -r requirements.txt && pip install --no-deps -r requirements-data.txt

# The code belongs to root and is only readable by the app user: the running process cannot change it.
COPY . .

# Static files (the admin's CSS and JS) into /app/staticfiles. This runs under the dev profile because
# the production profile needs its secrets and servers even to import the settings; collectstatic
# touches neither. The memory broker keeps the dev profile from creating .celery/ in the image.
RUN DSRS_PROFILE=dev CELERY_BROKER_URL=memory:// python manage.py collectstatic --noinput \
 && python -m compileall -q /app
# (compileall: the read-only root filesystem keeps Python from caching bytecode at run time.)

ENV DSRS_PROFILE=production

USER 10001:10001
EXPOSE 8000

# --worker-tmp-dir /dev/shm and --no-control-socket: nothing is written to the image's filesystem, so
# the container can run with a read-only root filesystem.
# No --access-logfile: DSRS logs every request itself, once, with its correlation id (dsrs.request).
# --forwarded-allow-ips '*': the pods are reachable only through the ingress (see the NetworkPolicy in
# deploy/k8s), which sets X-Forwarded-Proto.
CMD ["gunicorn", "dsrs.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--workers", "2", "--threads", "4", \
     "--timeout", "30", "--graceful-timeout", "30", \
     "--worker-tmp-dir", "/dev/shm", "--no-control-socket", \
     "--forwarded-allow-ips", "*"]
