import csv
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from dsrs.events.models import OutboxEvent
from registry.importing import COLUMNS, households_import
from registry.demo import Households

def _cell(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ";".join(value)
    return str(value)


class SyntheticFile:
    """The demo households (registry.demo) written as an import file, one row per member."""

    def __init__(self, seed: int):
        self.households = Households(seed)

    def household_rows(self, reference: str) -> list[dict]:
        household, members = self.households.next()
        first = {"household_ref": reference, **{k: _cell(v) for k, v in household.items()}}
        # Only the first row carries the household's columns, as many offices send them.
        return [{**(first if n == 0 else {"household_ref": reference}), **{k: _cell(v) for k, v in member.items()}}
                for n, member in enumerate(members)]

    def write(self, path: Path, households: int) -> int:
        rows = 0
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=COLUMNS)
            writer.writeheader()
            for number in range(households):
                for row in self.household_rows(f"BENCH-{number:07d}"):
                    writer.writerow(row)
                    rows += 1
        return rows


class Command(BaseCommand):
    help = ("Benchmark the bulk import: write a synthetic CSV of households and import it as "
            "`import_households` does. Run it on PostgreSQL, in a fresh database for comparable figures.")

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--chunk-size", type=int, default=1000)
        parser.add_argument("--keep-file", action="store_true", help="keep the generated CSV and say where")

    def handle(self, *args, households: int, seed: int, chunk_size: int, keep_file: bool, **options):
        if households < 1:
            raise CommandError("--households must be at least 1.")
        folder = Path(tempfile.mkdtemp(prefix="bench_import_"))
        path = folder / f"bench-{households}-{seed}.csv"
        rows = SyntheticFile(seed).write(path, households)
        self.stdout.write(f"database: {connection.vendor}; file: {rows} rows ({path.stat().st_size / 1e6:.1f} MB)")
        outbox_before = OutboxEvent.objects.count()
        started = time.perf_counter()
        with path.open("rb") as file:
            summary = households_import(file=file, file_name=path.name, chunk_size=chunk_size)
        elapsed = time.perf_counter() - started
        outbox_rows = OutboxEvent.objects.count() - outbox_before
        self.stdout.write(
            f"households created: {summary.households_created} "
            f"(already imported {summary.households_already_imported}, rejected {summary.households_rejected}), "
            f"member rows: {summary.rows}, "
            f"probable duplicates flagged: {summary.duplicates_flagged}\n"
            f"outbox rows: {outbox_rows}\n"
            f"elapsed: {elapsed:.1f} s\n"
            f"households/s: {summary.households_created / elapsed:,.0f}\n"
            f"member rows/s: {summary.rows / elapsed:,.0f}")
        if keep_file:
            self.stdout.write(f"file kept: {path}")
        else:
            path.unlink()
            folder.rmdir()
