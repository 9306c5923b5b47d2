"""Evaluations per second of one rule set's criteria in each CEL library, on the same synthetic households.

Kept to show why eligibility uses `common-expression-language` (Rust-backed) rather than `cel-python`.
Run: python manage.py bench_cel [--households 2000]
"""

import random
import time

from django.core.management.base import BaseCommand

EXPRESSIONS = [
    'status == "active"',
    "pmt_score <= params.pmt_cutoff",
    "monthly_income <= params.max_monthly_income",
    "members.exists(m, m.age < 19 && m.attending_school)",
    "members.exists(m, m.age >= 60 && m.monthly_income == 0.0)",
    "size(members) <= 12",
]


def _households(count: int, seed: int = 13) -> list[dict]:
    rng = random.Random(seed)
    return [{
        "status": "active", "pmt_score": rng.random(), "monthly_income": float(rng.randint(0, 30000)),
        "params": {"pmt_cutoff": 0.5, "max_monthly_income": 12000.0},
        "members": [{"age": rng.randint(0, 90), "attending_school": rng.random() < 0.5,
                     "monthly_income": float(rng.choice([0, 0, 5000]))} for _ in range(rng.randint(1, 7))],
    } for _ in range(count)]


def _rust(households):
    import cel

    programs = [cel.compile(e) for e in EXPRESSIONS]
    combined = cel.compile("[" + ", ".join(EXPRESSIONS) + "]")
    start = time.perf_counter()
    for h in households:
        for p in programs:
            p.execute(h)
    separate = time.perf_counter() - start
    start = time.perf_counter()
    for h in households:
        combined.execute(h)
    return separate, time.perf_counter() - start


def _python(households):
    import celpy

    env = celpy.Environment()
    programs = [env.program(env.compile(e)) for e in EXPRESSIONS]
    combined = env.program(env.compile("[" + ", ".join(EXPRESSIONS) + "]"))
    activations = [celpy.json_to_cel(h) for h in households]
    start = time.perf_counter()
    for a in activations:
        for p in programs:
            p.evaluate(a)
    separate = time.perf_counter() - start
    start = time.perf_counter()
    for a in activations:
        combined.evaluate(a)
    return separate, time.perf_counter() - start


class Command(BaseCommand):
    help = "Benchmark common-expression-language against cel-python on a six-criterion rule set."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=2000)

    def handle(self, *args, households, **options):
        data = _households(households)
        for name, run in (("common-expression-language", _rust), ("cel-python", _python)):
            try:
                separate, combined = run(data)
            except ImportError:
                self.stdout.write(f"{name}: not installed")
                continue
            evaluations = households * len(EXPRESSIONS)
            self.stdout.write(f"{name}: {evaluations / separate:,.0f} criterion evaluations/s one by one, "
                              f"{households / combined:,.0f} households/s with the rule set as one list")
