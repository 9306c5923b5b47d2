from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from payment.providers import provider_for
from payment.providers.simulated import simulate_settlement


class Command(BaseCommand):
    help = ("A simulated disbursing provider: read a disbursement file, write its settlement file with a share "
            "of failures and of returns (the same file and seed give the same answer).")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the disbursement file")
        parser.add_argument("--out", type=Path, help="the settlement file (default: <file>.settlement.csv)")
        parser.add_argument("--fail-share", type=float, default=0.05)
        parser.add_argument("--return-share", type=float, default=0.01)
        parser.add_argument("--seed", default="dsrs")
        parser.add_argument("--provider", default="mifos-csv")

    def handle(self, *args, file, out, fail_share, return_share, seed, provider, **options):
        if not file.exists():
            raise CommandError(f"no file {file}")
        try:
            content = simulate_settlement(provider_for(provider), file.read_bytes(), fail_share=fail_share,
                                          return_share=return_share, seed=seed)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        out = out or file.with_name(f"{file.name}.settlement.csv")
        out.write_bytes(content)
        lines = len(content.splitlines()) - 1
        self.stdout.write(f"wrote {out} ({lines} lines)")
