"""Re-assess every household of a program's regions with its published rule set, with a progress bar.

Resumable: an unfinished job of the program's current rule set (killed, or failed) is taken up where its
last committed chunk ended, and a household whose outcome did not change gets no new decision.
"""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from eligibility.models import Program, ReassessmentJob
from eligibility.services import reassessment_run, reassessment_start
from eligibility.services.reassessment import CHUNK


class Command(BaseCommand):
    help = "Re-assess every household of a program (resumes an unfinished job)."

    def add_arguments(self, parser):
        parser.add_argument("--program", required=True, help="program code, e.g. 4PS")
        parser.add_argument("--chunk", type=int, default=CHUNK, help="households per transaction")

    def handle(self, *args, program, chunk, **options):
        found = Program.objects.select_related("current_rule_set").filter(code=program).first()
        if found is None or found.current_rule_set is None:
            raise CommandError(f"no program {program!r} with a published rule set")
        job = (ReassessmentJob.objects.filter(program_code=found.code, rule_set_version=found.current_rule_set.version)
               .exclude(status=ReassessmentJob.Status.DONE).order_by("-created_at").first()
               or reassessment_start(program=found))
        with tqdm(total=job.total, initial=job.done, unit="household", desc=f"reassess {found.code}") as bar:
            def progress(current):
                bar.total = max(bar.total, current.done)
                bar.update(current.done - bar.n)
            job = reassessment_run(job=job, chunk=chunk, progress=progress)
        self.stdout.write(f"{job.done} households re-assessed in {found.code}, {job.decisions} new decisions")
