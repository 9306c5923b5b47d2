"""One whole cycle through the simulated provider: what the demo, the saga tests and the benchmarks run.

Operators script the same steps with `manage.py payment_cycle <step>`; this only strings them together
with two officers (a preparer and an approver), so four eyes hold here too.
"""

import time
from dataclasses import dataclass, field
from datetime import date

from . import services
from .errors import PaymentError
from .models import Batch, Cycle
from .providers import provider_for
from .providers.simulated import simulate_settlement


@dataclass
class Run:
    cycle: Cycle
    phases: dict = field(default_factory=dict)
    cpu: dict = field(default_factory=dict)  # this process's CPU time per phase: the rest is waiting (on the database)
    server_cpu: dict = field(default_factory=dict)  # the database backend's, where `server_clock` reads it
    files: list = field(default_factory=list)
    imports: list = field(default_factory=list)


def cycle_run(*, program_code: str, on: date, preparer: str, approver: str, fail_share: float = 0.0,
              return_share: float = 0.0, retry: bool = True, seed: str = "dsrs", say=None, server_clock=None) -> Run:
    """`server_clock`, if given, returns the CPU seconds the database has spent for this connection so far."""
    say = say or (lambda text: None)
    server_clock = server_clock or (lambda: None)
    clock, cpu, server = time.monotonic(), time.process_time(), server_clock()

    def phase(name):
        nonlocal clock, cpu, server
        now, cpu_now, server_now = time.monotonic(), time.process_time(), server_clock()
        run.phases[name], run.cpu[name] = now - clock, cpu_now - cpu
        line = f"  {name}: {now - clock:.2f}s (cpu {cpu_now - cpu:.2f}s"
        if server_now is not None:
            run.server_cpu[name] = server_now - server
            line += f", database {server_now - server:.2f}s"
        say(line + ")")
        clock, cpu, server = now, cpu_now, server_now

    cycle = services.cycle_create(program_code=program_code, on=on, actor=preparer)
    run = Run(cycle=cycle)
    generated = services.cycle_generate(cycle_id=cycle.pk, actor=preparer)
    say(f"  generated {generated.created} entitlements ({generated.already} existed, "
        f"{generated.without_household_facts} waiting for member facts)")
    phase("generate")
    services.cycle_submit(cycle_id=cycle.pk, actor=preparer)
    batches = list(Batch.objects.filter(cycle=cycle).order_by("number").values_list("pk", flat=True))
    for batch_id in batches:
        services.batch_approve(batch_id=batch_id, actor=approver)
    phase("submit and approve")
    provider = provider_for(cycle.program.provider_code)

    def send_and_settle(attempt_seed):
        files = []
        for batch_id in batches:
            try:
                files.append(services.batch_export(batch_id=batch_id, actor=approver))
            except PaymentError as exc:
                if exc.code != "nothing_to_export":  # every payment of it cancelled (an exit) before sending
                    raise
        files = [f for f in files if f not in run.files]
        run.files += files
        phase("export")
        answers = [(f, simulate_settlement(provider, services.disbursement_file_path(f).read_bytes(),
                                           fail_share=fail_share, return_share=return_share, seed=attempt_seed))
                   for f in files]
        phase("settle (simulated provider)")
        for f, answer in answers:
            run.imports.append(services.settlement_import(content=answer, name=f"{f.name}.settlement.csv",
                                                          provider_code=provider.code, actor=approver))
        phase("reconcile")

    send_and_settle(seed)
    if retry:
        retried = sum(services.payments_retry(batch_id=b, actor=approver)["retried"] for b in batches)
        if retried:
            say(f"  retrying {retried} failed payments")
            send_and_settle(f"{seed}-retry")  # the provider pays on the second try, bar the same share
    run.cycle = Cycle.objects.get(pk=cycle.pk)
    return run
