"""Time the preview of a draft over the households in the projection (fill it with bench_reassess first).

The draft is the program's published rule set with every numeric parameter lowered by 10%; it is deleted
afterwards. Run: python manage.py bench_preview --program SOCPEN [--workers 2]
"""

import os
import time

from django.core.management.base import BaseCommand, CommandError

from eligibility.models import Program, RuleSet
from eligibility.selectors import preview_workers, rule_set_preview


class Command(BaseCommand):
    help = "Benchmark the preview of a draft rule set against the published one."

    def add_arguments(self, parser):
        parser.add_argument("--program", default="SOCPEN")
        parser.add_argument("--workers", type=int, default=None,
                            help="processes (default ELIGIBILITY_PREVIEW_WORKERS)")

    def handle(self, *args, program, workers, **options):
        found = Program.objects.select_related("current_rule_set").filter(code=program).first()
        if found is None or found.current_rule_set is None:
            raise CommandError(f"no program {program!r} with a published rule set")
        published = found.current_rule_set
        lower = {k: v * 0.9 if isinstance(v, float) else v for k, v in published.parameters.items()}
        # Committed (and deleted afterwards): forked preview workers see only committed rows.
        draft = RuleSet.objects.create(program=found, version=published.version + 1000,
                                       criteria=published.criteria, exclusions=published.exclusions,
                                       parameters=lower, region_parameters=published.region_parameters)
        try:
            start, cpu = time.perf_counter(), os.times()
            preview = rule_set_preview(rule_set=draft, workers=workers)
            elapsed, cpu_after = time.perf_counter() - start, os.times()
        finally:
            draft.delete()
        total = preview.total
        self.stdout.write(f"preview of {found.code} over {preview.households:,} households in {elapsed:.2f} s "
                          f"({preview_workers(workers)} processes): "
                          f"newly {total.newly_eligible:,}, still {total.still_eligible:,}, losing "
                          f"{total.losing_eligibility:,}, still not {total.still_ineligible:,}, inclusion error "
                          f"{total.inclusion_error:,}, exclusion error {total.exclusion_error:,}, monthly cost "
                          f"{total.monthly_cost:,}; CPU {_cpu(cpu_after) - _cpu(cpu):.2f} s (this process and "
                          f"its workers); load {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def _cpu(times) -> float:
    """User and system seconds of this process and of its children that ended (forked workers)."""
    return times.user + times.system + times.children_user + times.children_system
