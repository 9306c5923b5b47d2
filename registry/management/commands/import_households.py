import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from registry.importing import CHUNK_SIZE, REQUIRED_COLUMNS, ImportFileInvalid, ImportSummary, households_import


def summary_lines(summary: ImportSummary) -> list[str]:
    return [
        f"rows read: {summary.rows}",
        f"households created: {summary.households_created}",
        f"households already imported (skipped): {summary.households_already_imported}",
        f"households rejected: {summary.households_rejected}",
        f"rows rejected: {summary.rows_rejected}",
        f"probable duplicates flagged for review: {summary.duplicates_flagged}",
    ]


class ProgressBar:
    """A tqdm bar of households on stderr, made once the file is read and its size known."""

    def __init__(self, *, enabled: bool):
        self.enabled, self.bar = enabled, None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = tqdm(total=total, unit="household", file=sys.stderr, desc="importing")
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class Command(BaseCommand):
    help = (f"Import households with their members from a CSV (UTF-8) or XLSX file, one row per member. "
            f"Required columns: {', '.join(REQUIRED_COLUMNS)}. Rejected rows are written to an error report "
            "to fix and import again; households imported already are skipped.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--errors", type=Path, help="where to write the rejected rows (default: <file>.errors.csv)")
        parser.add_argument("--user", help="username the households' history names as their author")
        parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE, help="households per transaction")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, file: Path, errors: Path | None, user: str | None, chunk_size: int, no_progress: bool,
               **options):
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1.")
        author = None
        if user:
            author = get_user_model().objects.filter(username=user).first()
            if author is None:
                raise CommandError(f"No user named {user!r}.")
        try:
            opened = file.open("rb")
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        progress = ProgressBar(enabled=not no_progress and sys.stderr.isatty())
        try:
            with opened:
                summary = households_import(file=opened, file_name=file.name, user=author, chunk_size=chunk_size,
                                            progress=progress)
        except ImportFileInvalid as invalid:
            raise CommandError(f"{file}: {invalid}") from None
        finally:
            progress.close()
        self.stdout.write("\n".join(summary_lines(summary)))
        report = errors or file.with_name(file.name + ".errors.csv")
        report.write_text(summary.error_report, encoding="utf-8")
        if summary.rows_rejected:
            self.stdout.write(self.style.WARNING(
                f"{summary.rows_rejected} rows were NOT imported ({summary.households_rejected} households): "
                f"fix them in {report} and import that file again."))
        else:
            self.stdout.write(self.style.SUCCESS(f"every row imported or imported already; error report "
                                                 f"(empty) at {report}"))
        self.stdout.write(f"import job {summary.job.pk}")
