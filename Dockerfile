# DSRS application image: one image for every process (web, relay, consumers, Celery beat and worker,
# migrations); the Kubernetes manifests in deploy/k8s choose the command.
#
#   docker build -t dsrs:dev .
#   docker run --env-file prod.env -p 8000:8000 dsrs:dev
#
# The image runs the production profile (DSRS_PROFILE=production), which refuses to start without
# DJANGO_SECRET_KEY, JWT_PRIVATE_KEY, BLIND_INDEX_KEY, DATABASE_URL, KAFKA_BOOTSTRAP_SERVERS, MONGODB_URI and REDIS_URL
# (see README.md, "Configuration").

# One pinned base for both stages. The tag names the exact Python patch release and Debian release;
# pin its digest too where the registry is reachable (`FROM python:3.11.14-slim-bookworm@sha256:...`).
FROM python:3.11.14-slim-bookworm AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOME=/tmp

# Build stage: the dependencies into a virtualenv. Every pinned package ships a manylinux wheel for
# CPython 3.11 (psycopg[binary], confluent-kafka with librdkafka bundled), so no compiler is needed;
# pip and setuptools stay behind in this stage. requirements.txt also lists the test tools (pytest,
# factory-boy, import-linter).
FROM base AS build
COPY requirements.txt requirements-data.txt /build/
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir -r /build/requirements.txt \
 && /opt/venv/bin/pip install --no-cache-dir --no-deps -r /build/requirements-data.txt \
 && /opt/venv/bin/pip uninstall --yes pip setuptools wheel

# The dashboard's chart library, Chart.js, from the npm registry (what scripts/dashboard-assets does
# outside the image; tests/deploy checks that both take the same version). Only its one file reaches the
# final stage: no node, no npm.
FROM node:22.12.0-bookworm-slim AS dashboard
WORKDIR /build
RUN npm install --no-audit --no-fund --omit=dev chart.js@4.5.1

# Final stage: the virtualenv and the code, no package installer (the base image's pip, setuptools
# and wheel are removed too), no compiler.
FROM base
RUN python -m pip uninstall --yes pip setuptools wheel \
 && rm -rf /usr/local/lib/python3.11/ensurepip

# A fixed numeric uid/gid, so that Kubernetes' runAsNonRoot can verify it.
RUN groupadd --system --gid 10001 dsrs \
 && useradd --system --uid 10001 --gid dsrs --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin dsrs

COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    VIRTUAL_ENV=/opt/venv
WORKDIR /app

# The code belongs to root and is only readable by the app user: the running process cannot change it.
COPY . .
COPY --from=dashboard /build/node_modules/chart.js/dist/chart.umd.js analytics/static/analytics/vendor/chart.umd.js
COPY --from=dashboard /build/node_modules/chart.js/LICENSE.md analytics/static/analytics/vendor/chart.js.LICENSE.md

# Static files (the admin's and the dashboard's CSS and JS) into /app/staticfiles. This runs under the dev profile because
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
