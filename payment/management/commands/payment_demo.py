import time
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from payment.models import Cycle, EnrolmentFact
from payment.runs import cycle_run

from ._actors import actor_of

OFFICERS = ("payment-preparer", "payment-approver")


class Command(BaseCommand):
    help = ("The demo's cycle: two payment officers (payment-preparer, payment-approver; password 'demo officer pass') "
            "run one 4PS cycle for the enrolled demo households through the simulated provider, with failures, "
            "retries and a return. Does nothing once the cycle exists or before any household is enrolled.")

    def add_arguments(self, parser):
        parser.add_argument("--program", default="4PS")
        parser.add_argument("--on", type=date.fromisoformat, default=None)
        parser.add_argument("--fail-share", type=float, default=0.2)
        parser.add_argument("--return-share", type=float, default=0.05)
        parser.add_argument("--wait", type=float, default=0,
                            help="first wait up to this many seconds for the enrolments to arrive and settle")

    def handle(self, *args, program, on, fail_share, return_share, wait, **options):
        if Cycle.objects.filter(program__code=program).exists():
            self.stdout.write("a demo cycle exists already; nothing run")
            return
        self._wait_for_enrolments(program, wait)
        if not EnrolmentFact.objects.filter(program_code=program, status="enrolled").exists():
            self.stdout.write("no household is enrolled in payment's projection yet; nothing run")
            return
        users = get_user_model()
        group = Group.objects.filter(name="payment officer").first()
        for name in OFFICERS:
            user, created = users.objects.get_or_create(username=name, defaults={"is_staff": True})
            if created:
                user.set_password("demo officer pass")
                user.save()
            if group:
                user.groups.add(group)
        run = cycle_run(program_code=program, on=on or date.today(), preparer=actor_of(OFFICERS[0]),
                        approver=actor_of(OFFICERS[1]), fail_share=fail_share, return_share=return_share,
                        say=self.stdout.write)
        paid = run.cycle.payments.filter(status="paid").count()
        self.stdout.write(f"{run.cycle.code}: {run.cycle.entitlement_count} entitlements, {paid} paid, "
                          f"{run.cycle.payments.exclude(status='paid').count()} not paid "
                          f"(failed, cancelled or reversed) in {len(run.files)} files")

    def _wait_for_enrolments(self, program, seconds):
        """Until the count of enrolled households has been above 0 and unchanged for 10 s, or `seconds` pass."""
        deadline, last, steady_since = time.monotonic() + seconds, -1, time.monotonic()
        while time.monotonic() < deadline:
            count = EnrolmentFact.objects.filter(program_code=program, status="enrolled").count()
            if count != last:
                last, steady_since = count, time.monotonic()
            elif count and time.monotonic() - steady_since >= 10:
                return
            time.sleep(1)
