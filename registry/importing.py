"""Bulk import of households with their members from a CSV or XLSX file, one row per member.

Every row is checked by the same rules as any other way in (`validation`); a household with any bad
row is left out whole, and its rows go into an error report the caseworker fixes and uploads again.
The good households are registered through `services.households_register_many`, one transaction per
chunk, so they are scored, kept in the history and announced through the outbox like any other.
A household's `household_ref` (the source's own key) is stored as its import reference: a household
imported already is skipped, so importing a file again, or the rest of a file after a crash, never
registers anyone twice.
"""

from __future__ import annotations

import csv
import hashlib
import io
import multiprocessing
import re
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import BinaryIO, Callable

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from dsrs.access import caller_for
from dsrs.personal_data import ascii_form

from . import selectors, services
from .models import Household, ImportJob
from .validation import ASSETS, HOUSEHOLD_CHOICES, HOUSEHOLD_FIELDS, MEMBER_CHOICES, MEMBER_FIELDS, MEMBER_FLAGS, \
    household_errors

REFERENCE = "household_ref"
COLUMNS = (REFERENCE, *HOUSEHOLD_FIELDS, *MEMBER_FIELDS)
OPTIONAL_COLUMNS = frozenset({"province_code", "assets", "phone_number", "payout_account", "middle_name", "suffix",
                              "occupation", "monthly_income", "philsys_number", *MEMBER_FLAGS})
REQUIRED_COLUMNS = tuple(column for column in COLUMNS if column not in OPTIONAL_COLUMNS)
REPORT_COLUMNS = ("row", "error")
CHUNK_SIZE = 1000
# A spreadsheet keeps a number typed into a cell as a number and drops its leading zeros: these
# columns are digit strings of a known width, given their zeros back.
DIGIT_WIDTHS = {"region_code": 10, "province_code": 10, "municipality_code": 10, "barangay_code": 10,
                "philsys_number": 12, "phone_number": 11}
_REFERENCE_LENGTH = Household._meta.get_field("import_reference").max_length
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MEMBER_PATH = re.compile(r"^(?:\[(\d+)\]\.)?members\[(\d+)\]\.(\w+)$")
_ASSET_CODES = ASSETS
_TRUE, _FALSE = frozenset({"yes", "true", "1"}), frozenset({"no", "false", "0", ""})

Progress = Callable[[int, int], None]


class ImportFileInvalid(ValueError):
    """The file cannot be imported at all: unreadable, not CSV or XLSX, or a required column missing."""


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, tuple[str, ...]]]  # (line number in the file, cells in header order)


@dataclass
class ImportSummary:
    job: ImportJob
    rows: int = 0
    households_created: int = 0
    households_already_imported: int = 0
    households_rejected: int = 0
    rows_rejected: int = 0
    duplicates_flagged: int = 0
    error_report: str = ""


# Reading: CSV and XLSX give the same table of strings.

def _cell_text(value, column: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        width = DIGIT_WIDTHS.get(column)
        return str(value).zfill(width) if width else str(value)
    return str(value).strip()


def _header(cells) -> list[str]:
    header = [str(cell or "").strip().lower() for cell in cells]
    while header and not header[-1]:
        header.pop()
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        raise ImportFileInvalid(f"Column {', '.join(repeated)} appears more than once in the header.")
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        present = ", ".join(name for name in header if name) or "nothing"
        raise ImportFileInvalid(f"Missing required column{'s' if len(missing) > 1 else ''}: {', '.join(missing)} "
                                f"(the header, line 1, has: {present}).")
    return header


def _fitted(cells: list[str], width: int) -> tuple[str, ...]:
    return tuple(cells[:width]) + ("",) * (width - len(cells))


def _read_csv(file: BinaryIO) -> Table:
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        header = _header(next(reader, []))
        rows = [(reader.line_num, _fitted([cell.strip() for cell in cells], len(header)))
                for cells in reader if any(cell.strip() for cell in cells)]
    except UnicodeDecodeError:
        raise ImportFileInvalid(f"Line {reader.line_num + 1} is not UTF-8 text: save the file as "
                                "'CSV UTF-8' (or XLSX).") from None
    except csv.Error as error:
        raise ImportFileInvalid(f"Line {reader.line_num} is not readable CSV: {error}.") from None
    finally:
        text.detach()
    return Table(header=header, rows=rows)


def _read_xlsx(file: BinaryIO) -> Table:
    from openpyxl import load_workbook  # only an XLSX upload pays for it

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise ImportFileInvalid(f"The file is not a readable XLSX workbook: {error}.") from None
    try:
        lines = workbook.worksheets[0].iter_rows(values_only=True)
        header = _header(next(lines, ()))
        rows = []
        for line, cells in enumerate(lines, start=2):
            texts = [_cell_text(value, column) for value, column in zip(cells, header)]
            if any(texts):
                rows.append((line, _fitted(texts, len(header))))
    finally:
        workbook.close()
    return Table(header=header, rows=rows)


def table_read(*, file: BinaryIO) -> Table:
    """The rows of a CSV (UTF-8, with or without BOM) or XLSX (first sheet) file, as strings, by column."""
    magic = file.read(8)
    file.seek(0)
    if magic.startswith(b"PK\x03\x04"):
        return _read_xlsx(file)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileInvalid("This is an old Excel (.xls) workbook: save it as XLSX or CSV UTF-8.")
    return _read_csv(file)


# Parsing: each cell to the type the registry's rules take, with a precise message.

def _flag(text: str) -> bool:
    if text.lower() in _TRUE:
        return True
    if text.lower() in _FALSE:
        return False
    raise ValueError("Say yes or no (true/false, 1/0 also do).")


def _required_flag(text: str) -> bool:
    if not text:
        raise ValueError("Required: yes or no.")
    return _flag(text)


def _birth_date(text: str) -> date:
    try:
        if _DATE.match(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise ValueError(f"'{text}' is not a date written YYYY-MM-DD." if text else "Required: a date, YYYY-MM-DD.")


def _amount(text: str) -> Decimal:
    try:
        amount = Decimal(text.replace(",", "")) if text else Decimal(0)
    except InvalidOperation:
        raise ValueError(f"'{text}' is not an amount like 4500.00.") from None
    if not amount.is_finite():
        raise ValueError(f"'{text}' is not an amount like 4500.00.")
    return amount


def _assets(text: str) -> list[str]:
    codes = [code.strip().lower() for code in text.split(";") if code.strip()]
    unknown = [code for code in codes if code not in _ASSET_CODES]
    if unknown:
        named = ", ".join(repr(code) for code in unknown)
        raise ValueError(f"{named} {'is not an asset code' if len(unknown) == 1 else 'are not asset codes'}; "
                         f"the codes, separated by ';', are: {', '.join(_ASSET_CODES)}.")
    return codes


def _number(text: str) -> str:
    """A number as the registry compares it: in ASCII digits, without spaces or dashes."""
    return re.sub(r"[\s-]", "", ascii_form(text))


_PARSERS = {
    "has_electricity": _required_flag,
    "assets": _assets,
    "birth_date": _birth_date,
    "monthly_income": _amount,
    "philsys_number": _number,
    "phone_number": _number,
    **{name: _flag for name in MEMBER_FLAGS},
    **{name: str.lower for name in (*HOUSEHOLD_CHOICES, *MEMBER_CHOICES)},
}


def _parsed(cells: dict[str, str], columns, problems: dict[str, str]) -> dict:
    values = {}
    for column in columns:
        parser = _PARSERS.get(column)
        try:
            values[column] = parser(cells.get(column, "")) if parser else cells.get(column, "")
        except ValueError as error:
            values[column], problems[column] = None, str(error)
    return values


# Checking one household: its rows, the registry's rules, PhilSys numbers seen earlier in the file.

@dataclass
class _Household:
    reference: str
    lines: list[int]
    cells: list[dict[str, str]]
    problems: dict[int, dict[str, str]] = field(default_factory=dict)  # line -> column -> reason
    household: dict = field(default_factory=dict)
    members: list[dict] = field(default_factory=list)

    def reject(self, line: int, column: str, reason: str) -> None:
        self.problems.setdefault(line, {}).setdefault(column, reason)

    @property
    def entry(self) -> dict:
        return {"household": self.household, "members": self.members, "import_reference": self.reference}


def _check(candidate: _Household, *, today: date, repeats: dict[int, tuple[int, str]],
           regions: frozenset[str] | None) -> None:
    first_line, first = candidate.lines[0], candidate.cells[0]
    problems = {}
    candidate.household = _parsed(first, HOUSEHOLD_FIELDS, problems)
    if regions is not None and candidate.household["region_code"] not in regions:
        problems["region_code"] = "Not one of the regions you work in; someone of that region imports it."
    for column, reason in problems.items():
        candidate.reject(first_line, column, reason)
    if len(candidate.reference) > _REFERENCE_LENGTH:
        candidate.reject(first_line, REFERENCE, f"At most {_REFERENCE_LENGTH} characters.")
    for line, cells in zip(candidate.lines, candidate.cells):
        problems = {}
        candidate.members.append(_parsed(cells, MEMBER_FIELDS, problems))
        for column in HOUSEHOLD_FIELDS:
            if cells.get(column) and cells[column] != first.get(column) and line != first_line:
                problems[column] = (f"Differs from line {first_line}, the household's first row: "
                                    "repeat the same value or leave it blank.")
        for column, reason in problems.items():
            candidate.reject(line, column, reason)
        if line in repeats:
            earlier = repeats[line]
            candidate.reject(line, "philsys_number", f"The same PhilSys number as line {earlier[0]} "
                                                     f"(household {earlier[1]}).")
    if candidate.problems:
        # The registry's own rules are checked by the service for the others; a household refused
        # for a cell gets them here too, so that one report names all it has to fix.
        _reject_by_path(candidate, household_errors(candidate.household, candidate.members, today=today))


def _reject_by_path(candidate: _Household, errors: dict[str, str]) -> None:
    for path, reason in errors.items():
        found = _MEMBER_PATH.match(path)
        if found:
            candidate.reject(candidate.lines[int(found[2])], found[3], reason)
        else:
            candidate.reject(candidate.lines[0], "household" if path == "members" else path, reason)


def _register(candidates: list[_Household], *, reason: str, user, regions: frozenset[str] | None
              ) -> tuple[int, int, list[_Household]]:
    """Register the candidates in one transaction; answer (created, duplicates flagged, rejected).
    The service checks the registry's rules and the PhilSys numbers registered already, and leaves
    out the households that break them."""
    if not candidates:
        return 0, 0, []
    registration = services.households_register_many(entries=[c.entry for c in candidates], reason=reason,
                                                      user=user, skip_invalid=True, regions=regions)
    services.number_conflicts_record(conflicts=registration.conflicts, channel="import",
                                     actor=caller_for(user).name if user is not None else "command")
    for position, errors in registration.rejected.items():
        _reject_by_path(candidates[position], {path: "; ".join(reasons) for path, reasons in errors.items()})
    return (len(registration.households), registration.duplicates_flagged,
            [candidates[position] for position in sorted(registration.rejected)])


# The report of rejected rows: the file's own columns, plus the row's line and every reason.

def _report(header: list[str], rejected: list[_Household]) -> tuple[str, int]:
    columns = [name for name in header if name not in REPORT_COLUMNS]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*columns, *REPORT_COLUMNS])
    rows = []
    for candidate in rejected:
        first_bad = min(candidate.problems)
        for line, cells in zip(candidate.lines, candidate.cells):
            own = candidate.problems.get(line)
            reason = ("; ".join(f"{column}: {why}" for column, why in own.items()) if own else
                      f"Not imported with the rest of household {candidate.reference}: see line {first_bad}.")
            rows.append((line, [cells.get(name, "") for name in columns], reason))
    for line, cells, reason in sorted(rows, key=lambda row: row[0]):
        writer.writerow([*cells, line, reason])
    return out.getvalue(), len(rows)


def households_rejected_in(error_report: str) -> int:
    """How many households an error report leaves out (rows without a household_ref count one each)."""
    rows = list(csv.DictReader(io.StringIO(error_report)))
    return len({row.get(REFERENCE) or f"line {row.get('row')}" for row in rows})


# The import itself.

def _grouped(table: Table) -> list[_Household]:
    by_reference: dict[str, _Household] = {}
    for line, cells in table.rows:
        named = dict(zip(table.header, cells))
        reference = named.get(REFERENCE, "")
        key = reference or f"\0{line}"  # a row without a reference stands alone, to be rejected
        candidate = by_reference.get(key)
        if candidate is None:
            candidate = by_reference[key] = _Household(reference=reference, lines=[], cells=[])
            if not reference:
                candidate.reject(line, REFERENCE, "Required: the source's own key of the household.")
        candidate.lines.append(line)
        candidate.cells.append(named)
    return list(by_reference.values())


def _sha256(file: BinaryIO) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: file.read(1 << 20), b""):
        digest.update(block)
    file.seek(0)
    return digest.hexdigest()


def _save(summary: ImportSummary, **fields) -> None:
    counts = {"rows_total": summary.rows, "households_created": summary.households_created,
              "households_already_imported": summary.households_already_imported,
              "rows_rejected": summary.rows_rejected, "duplicates_flagged": summary.duplicates_flagged}
    for name, value in {**counts, **fields}.items():
        setattr(summary.job, name, value)
    ImportJob.objects.filter(pk=summary.job.pk).update(**counts, **fields)


def _in_file_duplicates(candidates: list[_Household]) -> dict[int, tuple[int, str]]:
    """Each line whose PhilSys number an earlier line of the file has: line -> (earlier line, its household)."""
    first_seen, repeats = {}, {}
    for candidate in candidates:
        for line, cells in zip(candidate.lines, candidate.cells):
            if number := _number(cells.get("philsys_number", "")):
                earlier = first_seen.setdefault(number, (line, candidate.reference))
                if earlier[0] != line:
                    repeats[line] = earlier
    return repeats


@dataclass
class _Outcome:
    """What a share of the households came to, reported chunk by chunk."""

    households: int = 0
    created: int = 0
    already_imported: int = 0
    flagged: int = 0
    rejected: list[_Household] = field(default_factory=list)


def _import_share(candidates: list[_Household], *, repeats, regions, reason: str, user, chunk_size: int, report):
    """Check and register these households, one transaction per chunk; `report` gets each chunk's outcome."""
    today = timezone.localdate()
    for start in range(0, len(candidates), chunk_size):
        chunk, outcome = candidates[start:start + chunk_size], _Outcome()
        imported = selectors.households_imported(references={c.reference for c in chunk if c.reference})
        checked = []
        for candidate in chunk:
            if candidate.reference in imported:
                outcome.already_imported += 1
            else:
                _check(candidate, today=today, repeats=repeats, regions=regions)
                checked.append(candidate)
        outcome.rejected = [c for c in checked if c.problems]
        outcome.created, outcome.flagged, refused = _register([c for c in checked if not c.problems],
                                                              reason=reason, user=user, regions=regions)
        outcome.rejected += refused
        outcome.households = len(chunk)
        report(outcome)


def _shares(candidates: list[_Household], workers: int) -> list[list[_Household]]:
    """The households split by barangay: a probable duplicate lives in the same barangay, so each
    worker's own chunks (and what was registered before) are all its duplicate check has to see."""
    shares = [[] for _ in range(workers)]
    for candidate in candidates:
        barangay = candidate.cells[0].get("barangay_code", "")
        shares[zlib.crc32(barangay.encode()) % workers].append(candidate)
    return [share for share in shares if share]


def _worker(share, queue, options) -> None:
    try:
        _import_share(share, report=queue.put, **options)
        queue.put(None)
    except BaseException as error:  # the parent fails the job with it
        queue.put(f"{type(error).__name__}: {error}")
    finally:
        connections.close_all()


def _import_in_parallel(shares, options, report) -> None:
    """Each share in a forked process of its own, with its own database connection."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    connections.close_all()  # a forked child must not share the parent's connection
    processes = [context.Process(target=_worker, args=(share, queue, options), daemon=True) for share in shares]
    for process in processes:
        process.start()
    running, failure = len(processes), None
    try:
        while running:
            message = queue.get()
            if message is None or isinstance(message, str):
                running -= 1
                failure = failure or message
            else:
                report(message)
    finally:
        for process in processes:
            process.join()
    if failure:
        raise RuntimeError(f"an import worker failed: {failure}")


def import_workers() -> int:
    """Worker processes for an import: several only on PostgreSQL, where writers do not lock each
    other out, and not inside a transaction, which forked processes could neither see nor join."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return max(1, settings.REGISTRY_IMPORT_WORKERS)


def households_import(*, file: BinaryIO, file_name: str, user=None, chunk_size: int = CHUNK_SIZE,
                      regions: frozenset[str] | None = None, progress: Progress | None = None,
                      workers: int | None = None) -> ImportSummary:
    """Import the households of a CSV or XLSX file (binary, seekable), recorded as an ImportJob.

    Raises ImportFileInvalid if the file cannot be read or lacks a required column (the job is then
    failed); a rejected row is no failure: it is in the summary's error report. Each chunk of
    `chunk_size` households is one transaction, so a crash leaves whole chunks registered. With
    `regions` (a regional caller's), a household of any other region is rejected. `workers`
    processes (`import_workers()` if None) share the households by barangay.
    """
    job = ImportJob.objects.create(file_name=file_name[:255], file_sha256=_sha256(file), started_by=user)
    summary = ImportSummary(job=job)
    rejected, done = [], 0
    try:
        table = table_read(file=file)
        candidates = _grouped(table)
        summary.rows = len(table.rows)

        def report(outcome: _Outcome) -> None:
            nonlocal done
            rejected.extend(outcome.rejected)
            summary.households_created += outcome.created
            summary.households_already_imported += outcome.already_imported
            summary.duplicates_flagged += outcome.flagged
            summary.rows_rejected = sum(len(c.lines) for c in rejected)
            _save(summary)
            done += outcome.households
            if progress:
                progress(done, len(candidates))

        options = {"repeats": _in_file_duplicates(candidates), "regions": regions, "reason": f"import {file_name}",
                   "user": user, "chunk_size": chunk_size}
        shares = _shares(candidates, workers or import_workers())
        if len(shares) > 1:
            _import_in_parallel(shares, options, report)
        else:
            _import_share(candidates, report=report, **options)
        summary.error_report, summary.rows_rejected = _report(table.header, rejected)
        summary.households_rejected = len(rejected)
        _save(summary, error_report=summary.error_report, status=ImportJob.Status.DONE, finished_at=timezone.now())
    except BaseException as error:
        _save(summary, status=ImportJob.Status.FAILED, failure=f"{type(error).__name__}: {error}"[:5000],
              finished_at=timezone.now())
        raise
    return summary
