"""The API under a partner agency's load (issue 12), started by one command:

    manage.py bench_api                      # the issue's three rows, the mix at 200 req/s, the mix at saturation
    manage.py bench_api --phases mix-rate --rate 100 --duration 20

What it does, every run the same way:
1. A fresh PostgreSQL database `<DATABASE_URL's name>_bench`, cloned from a template that is built once
   (migrations, `--households` demo households registered through the services, their assessments made
   by the eligibility consumer); `--rebuild` builds the template again.
2. gunicorn as the Dockerfile's CMD runs it (its arguments read from the Dockerfile: 2 workers x 4
   threads), the production settings (DSRS_PROFILE=production, DEBUG off, JSON logs), the real Redis;
   only throttling is lifted and plain HTTP allowed (TLS ends at the ingress).
3. vegeta with the targets of `registry.loadtest`: unique generated registrations and changes, reads of
   the seeded households, pages of 50 (first and later ones), lookups by phone number, assessments.
   Phases: `issue` (the issue's baseline rows: one household, a page of 50, the README's POST body
   sent again and again; 8 connections, 20 s each), `mix-rate` (the mix at `--rate` req/s) and
   `mix-saturation` (the mix on `--connections` connections as fast as they go).
4. A table per phase: requests, req/s, p50/p95/p99 in ms and the answers that were not 2xx, by kind;
   the load average before and after (the machine is shared: compare runs made back to back).
"""

import json
import logging
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from dsrs.benchmarks.databases import admin_connection, database_create, database_env, database_exists, use_database
from dsrs.benchmarks.processes import free_port
from registry import loadtest

ROOT = Path(settings.BASE_DIR)
MANAGE = str(ROOT / "manage.py")
VEGETA_HINT = "scripts/bench-tools builds it (go install github.com/tsenart/vegeta/v12@v12.13.0)"


def _load() -> str:
    return "load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg())


def server_cpu_seconds(master_pid: int) -> float:
    """CPU time (user + system) of the gunicorn master and its workers so far, from /proc: what the
    requests cost the server, whatever else the shared machine runs."""
    ticks = os.sysconf("SC_CLK_TCK")
    pids = [master_pid]
    try:
        pids += [int(p) for p in Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()]
    except OSError:
        pass
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def dockerfile_command() -> list[str]:
    """The gunicorn command line of the Dockerfile's CMD (JSON form)."""
    text = (ROOT / "Dockerfile").read_text()
    start = text.rindex("CMD [")
    end = text.index("]", start)
    return json.loads(text[start + 4:end + 1].replace("\\\n", " "))


class Command(BaseCommand):
    help = "Load-test the API the production way (gunicorn, PostgreSQL) with vegeta; print req/s and p50/p95/p99."

    def add_arguments(self, parser):
        parser.add_argument("--phases", default="issue,mix-rate,mix-saturation",
                            help="comma-separated: issue, mix-rate, mix-saturation")
        parser.add_argument("--households", type=int, default=2000, help="demo households in the template")
        parser.add_argument("--rate", type=int, default=200, help="requests/s of the mix-rate phase")
        parser.add_argument("--duration", type=int, default=30, help="seconds of the mix phases")
        parser.add_argument("--issue-duration", type=int, default=20, help="seconds of each row of the issue phase")
        parser.add_argument("--connections", type=int, default=8, help="connections at saturation (the issue's wrk -c 8)")
        parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: the Dockerfile's)")
        parser.add_argument("--threads", type=int, default=None, help="gunicorn threads (default: the Dockerfile's)")
        parser.add_argument("--seed", type=int, default=None, help="seed of the generated data (default: random)")
        parser.add_argument("--rebuild", action="store_true", help="build the template database again")
        parser.add_argument("--vegeta", default=None, help=f"the vegeta binary ({VEGETA_HINT})")
        parser.add_argument("--keep", action="store_true", help="keep the run's files (targets, results, server log)")

    def handle(self, *args, phases, households, rate, duration, issue_duration, connections, workers, threads,
               seed, rebuild, vegeta, keep, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_api runs on PostgreSQL: set DATABASE_URL")
        for name in ("REDIS_URL", "KAFKA_BOOTSTRAP_SERVERS", "MONGODB_URI"):
            if not os.environ.get(name):
                raise CommandError(f"{name} is not set: the production settings need it (eval \"$(scripts/infra env)\")")
        vegeta = vegeta or shutil.which("vegeta") or str(ROOT / ".bench-tools" / "bin" / "vegeta")
        if not Path(vegeta).exists():
            raise CommandError(f"vegeta not found: {VEGETA_HINT}")
        phases = [p.strip() for p in phases.split(",") if p.strip()]
        unknown = set(phases) - {"issue", "mix-rate", "mix-saturation"}
        if unknown:
            raise CommandError(f"unknown phases: {', '.join(sorted(unknown))}")
        seed = seed if seed is not None else int(time.time())
        work = Path(tempfile.mkdtemp(prefix="bench-api-"))
        base_db = connection.settings_dict["NAME"]
        template, run_db = f"{base_db}_bench_template", f"{base_db}_bench"
        self.stdout.write(f"bench_api: {_load()}, seed {seed}, files in {work}")
        self._database(template, run_db, households=households, rebuild=rebuild)
        use_database(run_db)
        server, base, log = self._server(run_db, work, workers=workers, threads=threads)
        self.server_pid = server.pid
        try:
            token = self._token(base)
            sample = self._sample()
            for phase in phases:
                if phase == "issue":
                    for kinds, same, title in (({"detail": 1}, False, "GET /api/v1/households/<id>"),
                                               ({"page": 1}, False, "GET /api/v1/households?page_size=50"),
                                               ({"register": 1}, True, "POST /api/v1/households (README body)")):
                        page_sample = loadtest.Sample(sample.household_ids, sample.phone_numbers,
                                                      ["/api/v1/households?page_size=50"])
                        targets = loadtest.Targets(base, token, page_sample, seed=seed, kinds=kinds, same_body=same)
                        self._attack(vegeta, work, f"issue: {title}", targets, rate=0,
                                     connections=connections, seconds=issue_duration, count=1500 * issue_duration)
                elif phase == "mix-rate":
                    targets = loadtest.Targets(base, token, sample, seed=seed + 2)
                    self._attack(vegeta, work, f"mix at {rate} req/s", targets, rate=rate, connections=connections,
                                 seconds=duration, count=int(rate * duration * 1.05) + 10)
                else:
                    targets = loadtest.Targets(base, token, sample, seed=seed + 3)
                    self._attack(vegeta, work, f"mix at saturation ({connections} connections)", targets, rate=0,
                                 connections=connections, seconds=duration, count=1500 * duration)
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            errors = [line for line in log.read_text().splitlines() if '"ERROR"' in line or "Traceback" in line]
            if errors:
                self.stdout.write(f"the server logged {len(errors)} errors; the last: {errors[-1][:500]}")
            if not keep:
                shutil.rmtree(work, ignore_errors=True)

    # --- the database -------------------------------------------------------------------------------

    def _database(self, template: str, run_db: str, *, households: int, rebuild: bool) -> None:
        if rebuild or not database_exists(template):
            with admin_connection() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{template}"')
            self._build_template(template, households)
        database_create(run_db, template=template)

    def _build_template(self, template: str, households: int) -> None:
        started = time.monotonic()
        env = database_env(template, EVENTS_TRANSPORT="local")
        for command in (["migrate", "--no-input", "-v", "0"], ["seed_households", "--count", str(households)],
                        ["relay_outbox"], ["run_consumers", "--group", "eligibility", "--drain"]):
            self.stdout.write(f"template {template}: manage.py {' '.join(command)}")
            subprocess.run([sys.executable, MANAGE, *command], env=env, check=True, stdout=subprocess.DEVNULL)
        self.stdout.write(f"template {template} built in {time.monotonic() - started:.0f} s")

    # --- the server ---------------------------------------------------------------------------------

    def _server(self, run_db: str, work: Path, *, workers, threads):
        port = free_port()
        command = dockerfile_command()
        bind = command.index("--bind")
        command[bind + 1] = f"127.0.0.1:{port}"
        for flag, value in (("--workers", workers), ("--threads", threads)):
            if value is not None:
                command[command.index(flag) + 1] = str(value)
        env = database_env(run_db) | {
            "DSRS_PROFILE": "production", "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": settings.SECRET_KEY, "BLIND_INDEX_KEY": settings.BLIND_INDEX_KEY,
            "JWT_PRIVATE_KEY": settings.JWT_PRIVATE_KEY, "JWT_ACCESS_MINUTES": "180",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "DJANGO_SECURE_SSL_REDIRECT": "false",
            "THROTTLE_ANON": "none", "THROTTLE_USER": "none",
            "LOG_LEVEL": "INFO", "EVENTS_TOPIC_PREFIX": os.environ.get("EVENTS_TOPIC_PREFIX", "bench."),
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        log_path = work / "gunicorn.log"
        log = log_path.open("w")
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        self.stdout.write(f"server: {shlex.join([Path(gunicorn).name, *command[1:]])} (production settings)")
        process = subprocess.Popen([gunicorn, *command[1:]], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz/live", timeout=2)
                return process, base, log_path
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    raise CommandError("gunicorn did not start:\n" + log_path.read_text()[-3000:]) from None
                time.sleep(0.3)

    def _token(self, base: str) -> str:
        from identity.services import partner_client_create
        from registry.geography import REGION_CHOICES

        client, secret = partner_client_create(
            name=f"bench {uuid.uuid4().hex[:6]}", region_codes=[code for code, _ in REGION_CHOICES],
            scopes=["registry:read", "registry:write", "eligibility:read"])
        request = urllib.request.Request(f"{base}/api/v1/auth/token", method="POST",
                                         data=json.dumps({"username": client.client_id, "password": secret}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.load(answer)["access"]

    def _sample(self) -> loadtest.Sample:
        from registry.models import Household

        households = list(Household.objects.order_by("created_at", "id").only("id", "phone_number", "region_code"))
        ids = [str(h.id) for h in households]
        phones = [h.phone_number for h in households if h.phone_number] or ["09170000000"]
        regions = sorted({h.region_code for h in households})
        pages = ["/api/v1/households?page_size=50"] + [f"/api/v1/households?page_size=50&region_code={r}"
                                                       for r in regions[:6]]
        # Later pages: cursors as a client gets them, by following `next` in-process.
        from rest_framework.test import APIClient
        from django.contrib.auth import get_user_model
        admin = get_user_model().objects.filter(is_superuser=True).first() or get_user_model().objects.create_superuser(
            username=f"bench-{uuid.uuid4().hex[:6]}", password=uuid.uuid4().hex)
        logging.getLogger("dsrs.request").setLevel(logging.WARNING)
        client = APIClient(HTTP_HOST="127.0.0.1")
        client.force_authenticate(admin)
        url = "/api/v1/households?page_size=50"
        for _ in range(5):
            answer = client.get(url)
            following = answer.json().get("next") if answer.status_code == 200 else None
            if not following:
                break
            url = following[following.index("/api/"):]
            pages.append(url)
        return loadtest.Sample(ids, phones, pages)

    # --- an attack ----------------------------------------------------------------------------------

    def _attack(self, vegeta: str, work: Path, title: str, targets: loadtest.Targets, *, rate: int,
                connections: int, seconds: int, count: int) -> None:
        stem = work / f"{len(list(work.glob('*.bin'))):02d}"
        targets_file, results = stem.with_suffix(".targets"), stem.with_suffix(".bin")
        targets.write(targets_file, count)
        before = _load()
        cpu_before = server_cpu_seconds(self.server_pid)
        pace = ["-rate", "0", "-max-workers", str(connections), "-workers", str(connections)] if rate == 0 else [
            "-rate", f"{rate}/1s", "-workers", str(connections), "-max-workers", "256"]
        subprocess.run([vegeta, "attack", "-format", "json", "-lazy", "-targets", str(targets_file),
                        "-duration", f"{seconds}s", "-timeout", "30s", "-output", str(results), *pace],
                       check=True, stderr=subprocess.DEVNULL)
        with subprocess.Popen([vegeta, "encode", "-to", "csv", str(results)], stdout=subprocess.PIPE,
                              text=True) as encoded:
            rows, elapsed = loadtest.summarize(encoded.stdout)
        cpu = server_cpu_seconds(self.server_pid) - cpu_before
        self.stdout.write(f"\n### {title} ({elapsed:.0f} s; before: {before}; after: {_load()})\n")
        self.stdout.write(loadtest.table(rows) + "\n")
        requests = rows[-1].count
        self.stdout.write(f"server CPU: {cpu:.1f} s for {requests} requests = {1000 * cpu / max(requests, 1):.1f} ms "
                          f"per request ({cpu / max(elapsed, 1e-9):.2f} cores busy)\n")
