import json

import pytest

from dsrs.events import contracts
from dsrs.events.envelope import Event, MalformedEvent

HOUSEHOLD = {"household_id": "7d0c8c1e-3f0e-4a43-9a57-3c2b8d1f0a11", "household_number": "HH-1", "version": 1,
             "status": "active", "region_code": "1300000000", "household_size": 4, "monthly_income": "6500.00",
             "pmt_score": 0.31}


def an_event(**overrides) -> Event:
    fields = dict(type="registry.household.registered", subject=HOUSEHOLD["household_id"], data=HOUSEHOLD,
                  source="dsrs", dataschema="urn:dsrs:events:registry.household.registered:v1")
    return Event(**(fields | overrides))


def test_an_event_survives_the_round_trip_through_json_unchanged():
    event = an_event(correlationid="req-1")

    assert Event.from_json(event.to_json()) == event
    assert event.family == "registry.household" and event.schema_version == 1


@pytest.mark.parametrize("damage, message", [
    (lambda e: e.pop("id"), "lacks id"),
    (lambda e: e.update(specversion="0.3"), "specversion"),
    (lambda e: e.update(data=[1, 2]), "data is not a JSON object"),
])
def test_an_envelope_missing_its_attributes_is_malformed(damage, message):
    raw = an_event().to_dict()
    damage(raw)

    with pytest.raises(MalformedEvent, match=message):
        Event.from_dict(raw)


@pytest.mark.parametrize("dataschema", [["urn:dsrs:events:x:v1"], "urn:dsrs:events:x", "urn:dsrs:events:x:vone"])
def test_a_dataschema_naming_no_version_is_malformed_not_a_crash(dataschema):
    event = Event.from_dict(an_event().to_dict() | {"dataschema": dataschema})

    with pytest.raises(MalformedEvent, match="dataschema"):
        event.schema_version


def test_a_record_read_back_from_its_headers_is_the_event_that_was_written():
    from dsrs.events.records import encode, event_of, split_headers

    event = an_event(correlationid="req-1", traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
    value, blob, envelope_json = encode(event.to_dict())

    assert envelope_json is None  # the headers hold it: the row need not store the envelope as well
    assert event_of(value, dict(split_headers(blob))) == event
    with pytest.raises(MalformedEvent, match="lacks subject"):
        event_of(value, {k: v for k, v in split_headers(blob) if k != "ce_subject"})


def test_bytes_that_are_not_json_are_malformed():
    with pytest.raises(MalformedEvent, match="not valid JSON"):
        Event.from_json(b"\x00{nope")


def test_every_contract_is_a_valid_json_schema_with_a_versioned_id():
    types = contracts.known_event_types()

    assert set(types) >= {"registry.household.registered", "registry.household.updated",
                          "eligibility.assessment.approved", "eligibility.assessment.denied",
                          "payment.payment.scheduled", "payment.payment.completed"}
    for event_type in types:
        schema = json.loads((contracts.CONTRACTS_DIR / f"{event_type}.v1.json").read_text())
        assert schema["$id"] == f"urn:dsrs:events:{event_type}:v1"
        contracts._validator(event_type, 1)  # raises if the schema itself is invalid
        contracts._compiled(event_type, 1)


def test_data_breaking_its_contract_is_refused_naming_the_fields():
    with pytest.raises(contracts.ContractViolation, match=r"pmt_score: 1\.5 is greater than the maximum of 1"):
        contracts.validate("registry.household.registered", 1, HOUSEHOLD | {"pmt_score": 1.5})
    with pytest.raises(contracts.ContractViolation, match="'name' was unexpected"):
        contracts.validate("registry.household.registered", 1, HOUSEHOLD | {"name": "Juan"})


def test_a_timestamp_that_is_not_rfc3339_breaks_the_contract():
    completed = {"payment_id": HOUSEHOLD["household_id"], "household_id": HOUSEHOLD["household_id"],
                 "program_code": "4PS", "cycle": "2026-11", "amount": "750.00", "currency": "PHP",
                 "region_code": "1300000000", "completed_at": "yesterday"}

    contracts.validate("payment.payment.completed", 1, completed | {"completed_at": "2026-11-24T05:19:46.123+08:00"})
    with pytest.raises(contracts.ContractViolation, match="completed_at"):
        contracts.validate("payment.payment.completed", 1, completed)


def test_an_unknown_event_type_or_version_has_no_contract():
    with pytest.raises(contracts.ContractViolation, match="no contract"):
        contracts.validate("registry.household.registered", 9, HOUSEHOLD)
