import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dsrs.events.models import DeadLetter, OutboxEvent
from tests.events.test_envelope_and_contracts import an_event

pytestmark = pytest.mark.django_db


def dead_letter(**fields) -> DeadLetter:
    event = an_event()
    values = dict(consumer_group="eligibility", event_id=event.id, event_type=event.type, topic="registry.household",
                  key=event.subject, payload=event.to_json().decode(), error_type="ValueError", error="boom",
                  attempts=5)
    return DeadLetter.objects.create(**(values | fields))


def run(*args) -> str:
    out = StringIO()
    call_command("dlq", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_list_shows_pending_dead_letters_with_their_group_topic_and_error(local_transport):
    letter = dead_letter()
    dead_letter(event_id="x", status=DeadLetter.Status.REPLAYED)

    output = run("list")

    assert letter.event_id in output and "eligibility" in output and "ValueError" in output
    assert "1 of 1 dead letter(s) shown" in output


def test_show_prints_the_original_event_and_the_error(local_transport):
    letter = dead_letter()

    output = run("show", str(letter.id))

    assert json.loads(letter.payload)["id"] in output and "error:\nboom" in output


def test_replay_dry_run_changes_nothing(local_transport):
    letter = dead_letter()

    output = run("replay", "--all", "--dry-run")

    assert "would replay 1 of 1" in output
    letter.refresh_from_db()
    assert letter.status == "pending" and OutboxEvent.objects.count() == 0


def test_replay_republishes_the_original_event_with_its_original_id(local_transport):
    letter = dead_letter()

    run("replay", "--id", str(letter.id))

    letter.refresh_from_db()
    (row,) = OutboxEvent.objects.all()
    assert letter.status == "replayed" and letter.replayed_at is not None
    assert str(row.event_id) == letter.event_id and row.envelope == json.loads(letter.payload)
    assert row.topic == "registry.household" and row.sent_at is None


def test_an_unreadable_dead_letter_is_reported_not_replayed(local_transport):
    dead_letter(event_id="unreadable:t:0:1", payload="{broken", error_type="MalformedEvent")

    output = run("replay", "--all")

    assert "skipped" in output and "replayed 0 of 1" in output
    assert OutboxEvent.objects.count() == 0


def test_commands_that_change_things_insist_on_a_selection_and_on_existing_ids(local_transport):
    with pytest.raises(CommandError, match="say which dead letters"):
        run("replay")
    with pytest.raises(CommandError, match="no pending dead letter with id 999"):
        run("replay", "--id", "999")
    with pytest.raises(CommandError, match="no dead letter with id 999"):
        run("show", "999")


def test_purge_wants_confirmation_unless_told_yes(local_transport):
    dead_letter()

    with pytest.raises(CommandError, match="--yes"):
        run("purge", "--all")
    assert DeadLetter.objects.count() == 1
    assert "purged 1" in run("purge", "--all", "--yes")
    assert DeadLetter.objects.count() == 0
