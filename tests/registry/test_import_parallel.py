"""On PostgreSQL an import runs in several processes, each taking the households of its own
barangays: the result is the one a single process gives, duplicates flagged included."""

import pytest

from dsrs.events.models import OutboxEvent
from registry import importing
from registry.models import DuplicateCandidate, Household, Member
from tests.factories import MemberPayloadFactory
from tests.registry.test_import import rows_of, write_csv

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REGIONS = ["0100000000", "0300000000", "0700000000", "1000000000", "1300000000"]
SAME_PERSON = {"given_name": "Maria Luz", "family_name": "Dela Cruz", "birth_date": "1980-02-14"}


def import_with(path, *, workers: int):
    with path.open("rb") as file:
        return importing.households_import(file=file, file_name=path.name, chunk_size=3, workers=workers)


def test_households_shared_among_workers_are_all_registered_once_with_their_duplicates_flagged(tmp_path,
                                                                                               local_transport):
    rows = [row for number in range(20) for row in rows_of(f"P-{number}", region_code=REGIONS[number % 5])]
    # The same person twice in one barangay, far apart in the file (other chunks).
    rows += rows_of("TWIN-1", region_code="0700000000", members=[MemberPayloadFactory(**SAME_PERSON)])
    rows = rows_of("TWIN-0", region_code="0700000000", members=[MemberPayloadFactory(**SAME_PERSON)]) + rows
    path = write_csv(tmp_path / "parallel.csv", rows)

    summary = import_with(path, workers=2)

    assert importing._shares(importing._grouped(importing.table_read(file=path.open("rb"))), 2)[1]  # two shares
    assert (summary.households_created, summary.rows_rejected) == (22, 0)
    assert Household.objects.count() == 22 and Member.objects.count() == 42
    assert OutboxEvent.objects.filter(event_type="registry.household.registered").count() == 22
    (flag,) = DuplicateCandidate.objects.all()
    assert {flag.member.household.import_reference, flag.matches.household.import_reference} == {"TWIN-0", "TWIN-1"}

    again = import_with(path, workers=2)
    assert (again.households_created, again.households_already_imported) == (0, 22)
    assert Household.objects.count() == 22 and DuplicateCandidate.objects.count() == 1


def test_a_failing_worker_fails_the_job_and_keeps_the_chunks_done(tmp_path, local_transport, monkeypatch):
    path = write_csv(tmp_path / "broken.csv",
                     [row for number in range(12) for row in rows_of(f"B-{number}", region_code=REGIONS[number % 5])])
    real = importing.services.households_register_many
    calls = []

    def fail_on_second_chunk(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise ConnectionError("the database went away")
        return real(**kwargs)

    monkeypatch.setattr(importing.services, "households_register_many", fail_on_second_chunk)
    with pytest.raises(RuntimeError, match="an import worker failed: ConnectionError"):
        import_with(path, workers=2)
    done = Household.objects.count()
    assert 0 < done < 12

    monkeypatch.setattr(importing.services, "households_register_many", real)
    finished = import_with(path, workers=2)
    assert (finished.households_created, finished.households_already_imported) == (12 - done, done)
    assert Household.objects.count() == 12
