"""The read model's figures, in both stores: each filter cuts correctly, and a duplicated, replayed or
reordered event changes no figure, through the real consumer runtime with its inbox emptied, so that
only the store's own guards stand between a duplicate and a figure."""

import random

import pytest
from django.db import transaction

from analytics.selectors import breakdown_get, summary_get, timeseries_get
from analytics.services import events_apply
from dsrs.events.models import ConsumerOffset, InboxEvent, OutboxEvent
from dsrs.events.outbox import append
from dsrs.events.relay import relay_once
from dsrs.events.runtime import ConsumerRuntime
from tests.analytics import events as ev
from tests.analytics.world import DAY, in_order, world

pytestmark = pytest.mark.django_db


def deliver(events) -> None:
    """Put events on the local log in this order and let the analytics consumer group apply them."""
    with transaction.atomic():
        for event in events:
            append(event)
    while relay_once():
        pass
    runtime = ConsumerRuntime("analytics")
    while deliveries := runtime.session.poll(200, 0):  # drain() would close this test's connection
        runtime.process(deliveries)


def forget_and_rewind() -> None:
    """The consumer forgets every event it applied (inbox) and where it was in the log (offset)."""
    InboxEvent.objects.filter(consumer_group="analytics").delete()
    ConsumerOffset.objects.filter(consumer_group__endswith="analytics").delete()


def everything(store) -> dict:
    """Every figure the API can answer, at every level, and the store's documents."""
    cuts = [{}, {"region_code": ev.CENTRAL_VISAYAS}, {"province_code": ev.BOHOL},
            {"municipality_code": ev.ALICIA}, {"barangay_code": ev.PLACES[ev.ALICIA]["barangay_code"]},
            {"program_code": "4PS", "cycle": "4PS-2026-11"}, {"date_from": DAY, "date_to": DAY}]
    return {
        "summaries": [summary_get(**cut).as_dict() for cut in cuts],
        "series": [timeseries_get(kpi=kpi, interval=interval, **cut) for kpi in ("households_registered", "enrolled",
                                                                                 "amount_paid")
                   for interval in ("day", "week", "month") for cut in cuts[:3]],
        "breakdowns": [breakdown_get(by=by) for by in ("region", "program")],
        "documents": store.dump(store.live_generation()),
    }


@pytest.fixture
def local(settings):
    settings.EVENTS_TRANSPORT = "local"


def test_each_filter_cuts_the_figures(store, local):
    deliver(in_order(world()))

    national = summary_get()
    assert (national.count("households"), national.assessed, national.approved, national.denied) == (19, 19, 12, 7)
    assert (national.count("enrolment_enrolled"), national.count("enrolment_waitlisted"),
            national.count("enrolment_exited")) == (8, 3, 1)
    assert summary_get(province_code=ev.BOHOL).count("households") == 16
    assert summary_get(municipality_code=ev.ALBURQUERQUE).count("households") == 11  # one moved to Alicia
    alicia = summary_get(municipality_code=ev.ALICIA)
    assert (alicia.count("households"), alicia.approved, alicia.denied) == (5, 2, 3)  # with the one that moved
    assert summary_get(municipality_code=ev.CEBU_ALCANTARA).count("households") == 3
    assert summary_get(province_code=ev.CEBU, municipality_code=ev.ALICIA).count("households") == 0  # AND
    barangay = summary_get(barangay_code=ev.PLACES[ev.CEBU_ALCANTARA]["barangay_code"])
    assert barangay.count("households") == 3

    cycle_1 = summary_get(cycle="4PS-2026-11")
    assert (cycle_1.count("payment_paid"), cycle_1.count("payment_failed"), cycle_1.count("payment_sent")) == (5, 3, 1)
    assert cycle_1.amount("payment_paid") == 5 * 75000
    assert cycle_1.count("households") == 19  # a cycle narrows payments only
    assert summary_get(cycle="2026-12").count("payment_paid") == 9  # the legacy events' cycle
    assert summary_get(program_code="SOCPEN").approved == 0
    assert summary_get(program_code="4PS").approved == 12

    first_day = summary_get(date_from=DAY, date_to=DAY)
    assert first_day.count("households") == 3  # one registered on the first day in each municipality
    figures = national.as_dict()
    assert figures["coverage"] == "0.6667"  # 8 enrolled of 12 approved
    assert figures["payment_success_rate"] == f"{14 / 17:.4f}"  # paid 5 + 9 of 5 + 9 paid and 3 failed
    assert figures["payment_funnel"] == {"created": 18, "approved": 18, "sent": 18, "paid": 14}
    assert figures["payments_scheduled"] == 18 and figures["amount_completed"] == f"{5 * 750 + 9 * 750}.00"


def test_a_time_series_counts_each_day_week_and_month_with_its_running_total(store, local):
    deliver(in_order(world()))

    daily = timeseries_get(kpi="households_registered", interval="day")
    assert [p["count"] for p in daily][:4] == [3, 3, 3, 2]  # the three municipalities, then Alburquerque's
    assert daily[-1]["total"] == 19
    weekly = timeseries_get(kpi="households_registered", interval="week")
    assert [(p["period"], p["count"]) for p in weekly] == [("2026-11-02", 14), ("2026-11-09", 5)]
    monthly = timeseries_get(kpi="amount_paid", interval="month")
    assert [(p["period"], p["amount"]) for p in monthly] == [("2026-11-01", 5 * 75000), ("2026-12-01", 9 * 75000)]
    later = timeseries_get(kpi="households_registered", interval="day", date_from=DAY.replace(day=5))
    assert later[0]["total"] == 9 + later[0]["count"]  # the running total starts from the first day


def test_a_breakdown_by_region_and_by_program(store, local):
    deliver(in_order(world()))

    (region,) = breakdown_get(by="region")
    assert region["region"] == ev.CENTRAL_VISAYAS and region["households_registered"] == 19
    (program,) = breakdown_get(by="program")
    assert program["program"] == "4PS" and program["households_approved"] == 12
    assert program["households_registered"] == 0  # households have no program


def test_every_event_twice_and_each_household_in_reverse_leave_every_figure_unchanged(store, local):
    stories = world()
    deliver(in_order(stories))
    before = everything(store)

    forget_and_rewind()  # the whole log is delivered again, past an empty inbox
    shuffled = {h: list(reversed(s)) for h, s in stories.items()}
    deliver([*in_order(shuffled), *random.Random(7).sample(in_order(stories), k=len(in_order(stories)))])
    forget_and_rewind()
    deliver([])  # and everything once more from the start of the log

    # The last pass reached the store with every event: the inbox had forgotten them all.
    assert InboxEvent.objects.filter(consumer_group="analytics").count() == len(set(
        OutboxEvent.objects.values_list("event_id", flat=True))) == sum(map(len, stories.values()))
    assert everything(store) == before


def test_the_figures_do_not_depend_on_the_order_of_a_households_events(store):
    stories = world()
    reordered = {h: random.Random(h).sample(s, k=len(s)) for h, s in stories.items()}
    events_apply(events=in_order(reordered))
    shuffled = everything(store)
    for generation in store.generations():
        store.drop_generation(generation)

    events_apply(events=in_order(stories))

    assert everything(store) == shuffled


def test_a_lifecycle_step_delivered_after_a_later_one_changes_nothing(store):
    household, payment = "7d0c8c1e-3f0e-4a43-9a57-3c2b8d1f0a11", "0e2a3c4d-5b6f-4a7b-8c9d-0e1f2a3b4c5d"
    pending, approved, sent, paid = ev.payment_life(payment, household, until="paid",
                                                    place=ev.PLACES[ev.ALICIA], day=DAY)
    events_apply(events=[paid])
    events_apply(events=[sent, pending, approved, paid])

    figures = summary_get()
    assert (figures.count("payments"), figures.count("payment_paid"), figures.count("payment_pending")) == (1, 1, 0)
    assert summary_get(date_from=DAY, date_to=DAY).count("payments") == 1  # created on the pending event's day
