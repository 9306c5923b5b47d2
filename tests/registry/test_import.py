import csv
from datetime import date
from io import StringIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from dsrs.events.models import OutboxEvent
from registry import importing
from registry.events import HOUSEHOLD_REGISTERED
from registry.models import DuplicateCandidate, Household, ImportJob, Member
from tests.conftest import user_with_role
from tests.factories import HouseholdFactory, HouseholdPayloadFactory, MemberPayloadFactory, location_in

pytestmark = pytest.mark.django_db

ILOCOS = "0100000000"


def rows_of(reference: str, **payload_fields) -> list[dict]:
    """A household as the file has it: one row per member, the household's columns on each."""
    payload = HouseholdPayloadFactory(**payload_fields)
    household = {k: v for k, v in payload.items() if k != "members"}
    household["assets"] = ";".join(household["assets"])
    household["has_electricity"] = "yes" if household["has_electricity"] else "no"
    return [{"household_ref": reference, **household,
             **{k: ("yes" if v else "no") if isinstance(v, bool) else v for k, v in member.items()}}
            for member in payload["members"]]


def write_csv(path, rows: list[dict], columns=importing.COLUMNS):
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def import_file(path, *options) -> str:
    out = StringIO()
    call_command("import_households", str(path), "--no-progress", *options, stdout=out)
    return out.getvalue()


def error_report(path) -> dict[str, str]:
    """The report's reasons by the rejected rows' household_ref and given name."""
    with path.with_name(path.name + ".errors.csv").open(encoding="utf-8") as report:
        return {f"{row['household_ref']} {row['given_name']}": row["error"] for row in csv.DictReader(report)}


def registered_events() -> int:
    return OutboxEvent.objects.filter(event_type=HOUSEHOLD_REGISTERED).count()


def test_a_file_registers_its_households_with_their_members_and_one_event_each(tmp_path, local_transport):
    path = write_csv(tmp_path / "batch.csv", rows_of("A-1") + rows_of("A-2") + rows_of("A-3"))

    report = import_file(path)

    assert "households created: 3" in report and "rows rejected: 0" in report
    households = Household.objects.filter(import_reference__in=["A-1", "A-2", "A-3"])
    assert households.count() == 3 and Member.objects.count() == 6
    assert registered_events() == 3
    assert Household.history.filter(history_change_reason="import batch.csv").count() == 3
    job = ImportJob.objects.get()
    assert (job.status, job.rows_total, job.households_created, job.rows_rejected) == ("done", 6, 3, 0)


def test_importing_the_same_file_again_registers_nothing(tmp_path, local_transport):
    path = write_csv(tmp_path / "batch.csv", rows_of("A-1") + rows_of("A-2"))
    import_file(path)
    counts = (Household.objects.count(), Member.objects.count(), OutboxEvent.objects.count())

    report = import_file(path)

    assert (Household.objects.count(), Member.objects.count(), OutboxEvent.objects.count()) == counts
    assert "households created: 0" in report and "households already imported (skipped): 2" in report


def test_bad_rows_are_reported_with_their_reasons_and_the_good_households_imported(tmp_path, local_transport):
    registered = HouseholdFactory(members=[MemberPayloadFactory(philsys_number="123456789012")])
    elsewhere = location_in("1300000000")
    rows = (rows_of("GOOD")
            + rows_of("SEX", members=[MemberPayloadFactory(given_name="Sexless", sex="unknown")])
            + rows_of("DATE", members=[MemberPayloadFactory(given_name="Undated", birth_date="12/04/1986")])
            + rows_of("PLACE", region_code=ILOCOS, members=[MemberPayloadFactory(given_name="Misplaced")]))
    rows[-1]["barangay_code"] = elsewhere["barangay_code"]
    rows += rows_of("HEADS", members=[MemberPayloadFactory(given_name="Head1"),
                                      MemberPayloadFactory(given_name="Head2")])
    rows += rows_of("ASSET", members=[MemberPayloadFactory(given_name="Owner")])
    rows[-1]["assets"] = "smartphone;carabao"
    rows += rows_of("TAKEN", members=[MemberPayloadFactory(given_name="Taken", philsys_number="1234-5678-9012")])
    path = write_csv(tmp_path / "batch.csv", rows)

    summary = import_file(path)

    assert "households created: 1" in summary and "households rejected: 6" in summary
    assert "were NOT imported" in summary and str(path) + ".errors.csv" in summary
    assert Household.objects.filter(import_reference="GOOD").exists()
    assert not Household.objects.filter(import_reference__in=["SEX", "DATE", "PLACE", "HEADS", "ASSET", "TAKEN"])
    reasons = error_report(path)
    assert reasons["SEX Sexless"] == "sex: 'unknown' is not one of: female, male."
    assert reasons["DATE Undated"] == "birth_date: '12/04/1986' is not a date written YYYY-MM-DD."
    assert reasons["PLACE Misplaced"].startswith(f"municipality_code: barangay {elsewhere['barangay_code']}")
    assert reasons["HEADS Head1"] == "household: Exactly one member is the head; 2 are."
    assert reasons["HEADS Head2"] == "Not imported with the rest of household HEADS: see line 7."
    assert reasons["ASSET Owner"].startswith("assets: 'carabao' is not an asset code")
    assert reasons["TAKEN Taken"].startswith("philsys_number: This PhilSys number is already registered to a "
                                             f"member of household {registered.household_number} (member ")


def test_the_error_report_is_the_file_to_fix_and_import_again(tmp_path, local_transport):
    path = write_csv(tmp_path / "batch.csv", rows_of("OK") + rows_of("LATE", members=[
        MemberPayloadFactory(given_name="Late", birth_date="2999-01-01")]))
    import_file(path)
    with path.with_name("batch.csv.errors.csv").open(encoding="utf-8") as report:
        fixed = [{**row, "birth_date": "1990-01-01"} for row in csv.DictReader(report)]
    fixed_path = write_csv(tmp_path / "fixed.csv", fixed, columns=[*importing.COLUMNS, "row", "error"])

    summary = import_file(fixed_path)

    assert "households created: 1" in summary and "rows rejected: 0" in summary
    assert Household.objects.filter(import_reference="LATE").exists()


def test_a_barangay_outside_its_municipality_is_named(tmp_path, local_transport):
    rows = rows_of("PLACE", region_code=ILOCOS)
    rows[0]["municipality_code"] = location_in("1300000000")["municipality_code"]
    path = write_csv(tmp_path / "batch.csv", rows)

    import_file(path)

    reason = error_report(path)[f"PLACE {rows[0]['given_name']}"]
    assert reason.startswith(f"municipality_code: barangay {rows[0]['barangay_code']}")
    assert "is in city or municipality" in reason


def test_household_columns_repeated_differently_reject_the_household(tmp_path, local_transport):
    rows = rows_of("MOVED")
    rows[1]["address"] = "somewhere else"
    path = write_csv(tmp_path / "batch.csv", rows)

    import_file(path)

    assert error_report(path)[f"MOVED {rows[1]['given_name']}"] == (
        "address: Differs from line 2, the household's first row: repeat the same value or leave it blank.")


def test_the_same_philsys_number_twice_in_the_file_keeps_the_first(tmp_path, local_transport):
    rows = (rows_of("FIRST", members=[MemberPayloadFactory(philsys_number="111122223333")])
            + rows_of("SECOND", members=[MemberPayloadFactory(given_name="Again", philsys_number="111122223333")]))
    path = write_csv(tmp_path / "batch.csv", rows)

    import_file(path)

    assert Household.objects.filter(import_reference="FIRST").exists()
    assert error_report(path) == {
        "SECOND Again": "philsys_number: The same PhilSys number as line 2 (household FIRST)."}


def test_an_xlsx_file_with_numbers_typed_as_numbers_is_read_like_text(tmp_path, local_transport):
    rows = rows_of("X-1", region_code=ILOCOS, members=[MemberPayloadFactory(philsys_number="012345678901",
                                                                             monthly_income="4500.50")])
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(importing.COLUMNS))
    numeric = {"region_code", "province_code", "municipality_code", "barangay_code", "philsys_number"}
    for row in rows:
        sheet.append([int(row[c]) if c in numeric and row.get(c) else float(row[c]) if c == "monthly_income"
                      else row.get(c, "") for c in importing.COLUMNS])
    workbook.save(tmp_path / "batch.xlsx")

    summary = import_file(tmp_path / "batch.xlsx")

    assert "households created: 1" in summary, summary
    household = Household.objects.get(import_reference="X-1")
    assert (household.region_code, household.barangay_code) == (ILOCOS, rows[0]["barangay_code"])
    member = household.members.get()
    assert (member.philsys_number, str(member.monthly_income)) == ("012345678901", "4500.50")


def test_a_missing_required_column_is_refused_before_anything_is_read(tmp_path, local_transport):
    columns = [c for c in importing.COLUMNS if c != "birth_date"]
    path = write_csv(tmp_path / "batch.csv", rows_of("A-1"), columns=columns)

    with pytest.raises(CommandError, match="Missing required column: birth_date"):
        import_file(path)

    assert not Household.objects.exists()
    assert ImportJob.objects.get().status == "failed"


def test_a_file_that_is_not_there_is_refused(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        import_file(tmp_path / "nothing.csv")


def test_a_probable_duplicate_in_the_file_is_queued_for_review_not_refused(tmp_path, local_transport):
    twin = {"given_name": "Juan", "family_name": "Dela Cruz", "birth_date": "1970-05-05"}
    rows = (rows_of("D-1", region_code=ILOCOS, members=[MemberPayloadFactory(**twin)])
            + rows_of("D-2", region_code=ILOCOS, members=[MemberPayloadFactory(**twin, middle_name="S")]))
    path = write_csv(tmp_path / "batch.csv", rows)

    summary = import_file(path)

    assert "households created: 2" in summary and "probable duplicates flagged for review: 1" in summary
    flag = DuplicateCandidate.objects.get()
    assert (flag.member.household.import_reference, flag.matches.household.import_reference) == ("D-2", "D-1")


def test_a_crash_mid_file_keeps_whole_chunks_and_a_rerun_completes_it(tmp_path, local_transport, monkeypatch):
    path = write_csv(tmp_path / "batch.csv", [row for n in range(1, 5) for row in rows_of(f"C-{n}")])
    register = importing.services.households_register_many
    calls = []

    def crashing_on_the_second_chunk(**arguments):
        calls.append(arguments)
        with transaction.atomic():
            registration = register(**arguments)
            if len(calls) == 2:
                raise RuntimeError("the database went away")
        return registration

    monkeypatch.setattr(importing.services, "households_register_many", crashing_on_the_second_chunk)
    with pytest.raises(RuntimeError):
        import_file(path, "--chunk-size", "2")
    assert set(Household.objects.values_list("import_reference", flat=True)) == {"C-1", "C-2"}
    assert ImportJob.objects.get().status == "failed"

    summary = import_file(path, "--chunk-size", "2")

    assert "households created: 2" in summary and "households already imported (skipped): 2" in summary
    assert Household.objects.count() == 4 and Member.objects.count() == 8 and registered_events() == 4


def upload(client, rows: list[dict], name="upload.csv"):
    out = StringIO()
    writer = csv.DictWriter(out, fieldnames=list(importing.COLUMNS), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return client.post("/admin/registry/importjob/upload/",
                       {"file": SimpleUploadedFile(name, out.getvalue().encode(), content_type="text/csv")})


def test_the_admin_upload_needs_the_import_permission(client):
    client.force_login(user_with_role("program officer", is_staff=True))

    assert client.get("/admin/registry/importjob/upload/").status_code == 403
    assert upload(client, rows_of("A-1")).status_code == 403
    assert not Household.objects.exists()


def test_a_caseworker_imports_a_file_in_the_admin_and_downloads_its_error_report(client, local_transport):
    from identity.models import StaffProfile

    caseworker = user_with_role("caseworker", is_staff=True)
    StaffProfile.objects.create(user=caseworker, region_codes=[ILOCOS])
    client.force_login(caseworker)
    assert b"Import a file" in client.get("/admin/registry/importjob/").content

    response = upload(client, rows_of("OK", region_code=ILOCOS)
                      + rows_of("FAR", region_code="1300000000", members=[MemberPayloadFactory(given_name="Far")]))

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/admin/registry/importjob/{job.pk}/change/")
    assert (job.started_by, job.households_created, job.rows_rejected) == (caseworker, 1, 1)
    assert Household.history.get(import_reference="OK").history_user == caseworker
    page = client.get(response["Location"])
    assert page.status_code == 200 and b"download the 1 rejected rows" in page.content
    report = client.get(f"/admin/registry/importjob/{job.pk}/error-report/")
    assert report["Content-Disposition"] == 'attachment; filename="upload.errors.csv"'
    rejected = list(csv.DictReader(StringIO(report.content.decode())))
    assert [(r["household_ref"], r["row"], r["error"]) for r in rejected] == [
        ("FAR", "4", "region_code: Not one of the regions you work in; someone of that region imports it.")]


def test_an_unreadable_upload_is_answered_on_the_form(client):
    client.force_login(user_with_role("caseworker", is_staff=True))

    response = client.post("/admin/registry/importjob/upload/", {"file": SimpleUploadedFile(
        "old.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 100)})

    assert response.status_code == 200 and b"old Excel (.xls)" in response.content
    assert ImportJob.objects.get().status == "failed"


def test_a_child_head_is_rejected_and_an_emancipated_minor_head_imported(tmp_path, local_transport):
    young = date.today().replace(day=1, month=1)
    child_head = rows_of("C-1", members=[MemberPayloadFactory(given_name="Toddler", civil_status="single",
                                                              birth_date=young.replace(year=young.year - 3).isoformat())])
    orphans = rows_of("C-2", members=[
        MemberPayloadFactory(given_name="Eldest", civil_status="single", emancipated=True,
                             birth_date=young.replace(year=young.year - 16).isoformat()),
        MemberPayloadFactory(child=True, relationship="sibling", given_name="Youngest")])
    path = write_csv(tmp_path / "heads.csv", child_head + orphans)

    report = import_file(path)

    assert "households created: 1" in report
    assert Household.objects.get().import_reference == "C-2"
    assert Member.objects.get(given_name="Eldest").emancipated is True
    assert error_report(path)["C-1 Toddler"].startswith("birth_date: The head is 3: a head is an adult")
