"""One whole cycle through the simulated provider: what the demo, the saga tests and the benchmarks run.

Operators script the same steps with `manage.py payment_cycle <step>`; this only strings them together
with two officers (a preparer and an approver), so four eyes hold here too.
"""

import gc
import multiprocessing
import os
import time
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, connections

from . import services
from .errors import PaymentError
from .models import Batch, Cycle, DisbursementFile, SettlementFile
from .providers import provider_for
from .providers.simulated import simulate_settlement


def backend_clock():
    """A function giving the CPU seconds of this connection's PostgreSQL backend so far, read from /proc
    when the server runs on this machine (as scripts/infra's does), else None: on a shared machine, the
    work the database did for this connection, whatever else it was doing."""
    if connection.vendor != "postgresql":
        return lambda: None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    ticks = os.sysconf("SC_CLK_TCK")

    def read():
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
        except (OSError, IndexError, ValueError):
            return None

    return read if read() is not None else (lambda: None)


def _forget_parent_connections():
    """In a forked worker: the parent's connections are the parent's (never used, nor closed, here)."""
    for alias in connections:
        connections[alias].connection = None


def _in_worker(task):
    """One step in a worker: its result (a refusal as (code, message)), its CPU and its backend's."""
    function, kwargs = task
    clock = backend_clock()
    cpu, server = time.process_time(), clock()
    # No cyclic collection during the step: it makes and keeps tens of thousands of rows, events and
    # lines, which the collector would traverse again and again (a sixth of the step's time); what a
    # step leaves in cycles is collected after it.
    gc.disable()
    try:
        result = function(**kwargs)
    except PaymentError as exc:
        result = PaymentError.__name__, exc.code, str(exc)
    finally:
        gc.enable()
    after = clock()
    return result, time.process_time() - cpu, (after - server) if server is not None and after is not None else 0.0


def _approve(*, batch_id, actor):
    services.batch_approve(batch_id=batch_id, actor=actor)


def _export(*, batch_id, actor):
    try:
        return services.batch_export(batch_id=batch_id, actor=actor).pk
    except PaymentError as exc:
        if exc.code != "nothing_to_export":  # every payment of it cancelled (an exit) before sending
            raise
        return None


def _settle(*, file_id, fail_share, return_share, seed):
    file = DisbursementFile.objects.get(pk=file_id)
    provider = provider_for(file.provider_code)
    return simulate_settlement(provider, services.disbursement_file_path(file).read_bytes(),
                               fail_share=fail_share, return_share=return_share, seed=seed)


def _import(*, content, name, provider_code, actor):
    result = services.settlement_import(content=content, name=name, provider_code=provider_code, actor=actor)
    return result.file.pk, result.already_imported


@dataclass
class Run:
    cycle: Cycle
    phases: dict = field(default_factory=dict)
    cpu: dict = field(default_factory=dict)  # this process's CPU time per phase (and its workers'): the rest is waiting
    server_cpu: dict = field(default_factory=dict)  # the database backends', where `server_clock` reads them
    files: list = field(default_factory=list)
    imports: list = field(default_factory=list)
    workers: int = 1
    worker_cpu: float = 0.0  # the workers' CPU and their backends' so far
    worker_server_cpu: float = 0.0

    def each(self, function, calls: list[dict]) -> list:
        """function(**kwargs) for each of `calls`, in order; in `workers` processes at once on PostgreSQL
        (each step of one batch is one transaction of its own, and steps of different batches of a cycle
        run at once: lock_objects.batch_lock). Refusals are raised here, as the first one met."""
        if self.workers <= 1 or len(calls) < 2 or connection.vendor != "postgresql" or connection.in_atomic_block:
            return [function(**kwargs) for kwargs in calls]
        pool = multiprocessing.get_context("fork").Pool(min(self.workers, len(calls)),
                                                        initializer=_forget_parent_connections)
        try:
            answers = pool.map(_in_worker, [(function, kwargs) for kwargs in calls], chunksize=1)
        finally:
            pool.close()
            pool.join()
        results = []
        for result, cpu, server in answers:
            self.worker_cpu += cpu
            self.worker_server_cpu += server
            if isinstance(result, tuple) and len(result) == 3 and result[0] == PaymentError.__name__:
                raise PaymentError(result[2], code=result[1])
            results.append(result)
        return results


def cycle_run(*, program_code: str, on: date, preparer: str, approver: str, fail_share: float = 0.0,
              return_share: float = 0.0, retry: bool = True, seed: str = "dsrs", say=None, server_clock=None,
              workers: int = 1) -> Run:
    """`server_clock`, if given, returns the CPU seconds the database has spent for this connection so far.
    `workers` > 1: the steps of each batch (approve, export, settle, reconcile) in that many processes at
    once (PostgreSQL; outside a transaction), each with its own connection."""
    say = say or (lambda text: None)
    server_clock = server_clock or (lambda: None)
    cycle = services.cycle_create(program_code=program_code, on=on, actor=preparer)
    run = Run(cycle=cycle, workers=workers)
    clock, cpu, server = time.monotonic(), time.process_time(), server_clock()

    def phase(name):
        nonlocal clock, cpu, server
        now, cpu_now, server_now = time.monotonic(), time.process_time() + run.worker_cpu, server_clock()
        run.phases[name], run.cpu[name] = now - clock, cpu_now - cpu
        line = f"  {name}: {now - clock:.2f}s (cpu {cpu_now - cpu:.2f}s"
        if server_now is not None:
            server_now += run.worker_server_cpu
            run.server_cpu[name] = server_now - server
            line += f", database {server_now - server:.2f}s"
        say(line + ")")
        clock, cpu, server = now, cpu_now, server_now

    generated = services.cycle_generate_plan(cycle_id=cycle.pk)
    generated.created = sum(run.each(services.cycle_generate_batch, [
        {"cycle_id": cycle.pk, "batch_id": batch_id, "household_ids": households}
        for batch_id, households in generated.plan]))
    services.cycle_generate_finish(cycle_id=cycle.pk, result=generated, actor=preparer)
    say(f"  generated {generated.created} entitlements ({generated.already} existed, "
        f"{generated.without_household_facts} waiting for member facts)")
    phase("generate")
    services.cycle_submit(cycle_id=cycle.pk, actor=preparer)
    batches = list(Batch.objects.filter(cycle=cycle).order_by("number").values_list("pk", flat=True))
    run.each(_approve, [{"batch_id": b, "actor": approver} for b in batches])
    phase("submit and approve")
    provider = provider_for(cycle.program.provider_code)

    def send_and_settle(attempt_seed):
        exported = run.each(_export, [{"batch_id": b, "actor": approver} for b in batches])
        known = {f.pk for f in run.files}
        files = sorted(DisbursementFile.objects.filter(pk__in=[f for f in exported if f and f not in known])
                       .select_related("batch"), key=lambda f: f.batch.number)
        run.files += files
        phase("export")
        answers = run.each(_settle, [{"file_id": f.pk, "fail_share": fail_share, "return_share": return_share,
                                      "seed": attempt_seed} for f in files])
        phase("settle (simulated provider)")
        imported = run.each(_import, [{"content": answer, "name": f"{f.name}.settlement.csv",
                                       "provider_code": provider.code, "actor": approver}
                                      for f, answer in zip(files, answers)])
        by_pk = SettlementFile.objects.in_bulk([pk for pk, _ in imported])
        run.imports += [services.settlement.Import(file=by_pk[pk], already_imported=again) for pk, again in imported]
        phase("reconcile")

    send_and_settle(seed)
    if retry:
        retried = sum(services.payments_retry(batch_id=b, actor=approver)["retried"] for b in batches)
        if retried:
            say(f"  retrying {retried} failed payments")
            send_and_settle(f"{seed}-retry")  # the provider pays on the second try, bar the same share
    run.cycle = Cycle.objects.get(pk=cycle.pk)
    return run
