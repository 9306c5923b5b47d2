"""`manage.py bench_analytics`: the read model's speed, printed.

  --load N           bulk-load the read model of N households' events (states and cells, computed by
                     the same merge and contributions as the consumer; inserted in bulk, not one event
                     at a time) into the live generation of an empty store
  --queries R        time the API's summary, timeseries and breakdown, R times each, filtered and
                     not, through the DRF views; p50/p95 per query and overall
  --compare          also time the national summary computed by aggregating the states instead of
                     reading the cells (the alternative design)
  --consume N        apply N households' events (about 7 each, in time order as a live log holds
                     them) through the consumer's handler in batches of --batch-size, into a
                     generation of their own; events per second
  --raw              with --consume: the server's own cap, the same writes (states and cells, computed
                     beforehand in memory) as bare pymongo bulk_writes, one transaction per batch, into
                     another generation; events per second
"""

from __future__ import annotations

import statistics
import time

from django.core.management.base import BaseCommand, CommandError

from analytics import synthetic
from analytics.facts import contributions, deltas, fact_of, project
from analytics.stores import get_store


def _elapsed_ms(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--load", type=int, default=0, metavar="HOUSEHOLDS")
        parser.add_argument("--queries", type=int, default=0, metavar="REPEATS")
        parser.add_argument("--compare", action="store_true")
        parser.add_argument("--consume", type=int, default=0, metavar="HOUSEHOLDS")
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument("--raw", action="store_true")

    def handle(self, *args, load, queries, compare, consume, batch_size, raw, **options):
        store = get_store()
        if not hasattr(store, "db"):
            raise CommandError("bench_analytics measures the MongoDB store: set MONGODB_URI and MONGODB_DB")
        self.stdout.write(f"MongoDB database {store.db.name}; load average {_load()}")
        if load:
            self._load(store, load)
        if queries:
            self._queries(queries)
        if compare:
            self._compare(store)
        if consume:
            self._consume(store, consume, batch_size, raw)

    # --- loading ------------------------------------------------------------------------------------
    def _load(self, store, count: int) -> None:
        if store.db.cells.estimated_document_count() or store.live_generation():
            raise CommandError(f"{store.db.name} already holds a read model; load into an empty database")
        store._ensure_indexes("")
        started, states, events = time.monotonic(), [], 0
        open_cells: dict[str, dict] = {level: {} for level in ("national", "region", "province", "municipality",
                                                               "barangay")}
        current = {"barangay": None, "municipality": None}
        totals = {"states": 0, "cells": 0}

        def flush_cells(level: str) -> None:
            cells = open_cells[level]
            if cells:
                store.db.cells.insert_many([{"_id": key, **cell.document(), "n": n, "amount": amount}
                                            for key, (cell, n, amount) in cells.items()], ordered=False)
                totals["cells"] += len(cells)
                open_cells[level] = {}

        def flush_states() -> None:
            if states:
                store.db.states.insert_many(states, ordered=False)
                totals["states"] += len(states)
                states.clear()

        for index, (place, household_events) in enumerate(synthetic.households(count), start=1):
            for level in ("barangay", "municipality"):
                if place[f"{level}_code"] != current[level]:
                    flush_cells(level)  # cells of a finer level are complete once the walk leaves it
                    current[level] = place[f"{level}_code"]
            events += len(household_events)
            for key, state in project({}, synthetic.facts_of(household_events)).items():
                states.append({"_id": key, **state, "rev": 1})
                for cell, amount in contributions(state):
                    entry = open_cells[cell.level].setdefault(cell.key, [cell, 0, 0])
                    entry[1] += 1
                    entry[2] += amount
            if len(states) >= 20000:
                flush_states()
            if index % 100000 == 0:
                self.stdout.write(f"  {index:,} households, {events:,} events, {time.monotonic() - started:.0f}s")
        flush_states()
        for level in open_cells:
            flush_cells(level)
        self.stdout.write(f"loaded the read model of {count:,} households ({events:,} events): "
                          f"{totals['states']:,} states, {totals['cells']:,} cells in "
                          f"{time.monotonic() - started:.0f}s; load average {_load()}")

    # --- the API's queries --------------------------------------------------------------------------
    def _queries(self, repeats: int) -> None:
        from django.contrib.auth import get_user_model
        from rest_framework.test import APIClient

        store = get_store()
        states_name, cells_name = store._names(store.live_generation())
        # Counters stop at the municipality: a municipality from the cells, one of its barangays from the states.
        sample = store.db[cells_name].find_one({"level": "municipality"}) or {}
        sample |= {"barangay_code": (store.db[states_name].find_one(
            {"municipality_code": sample.get("municipality_code", "")}) or {}).get("barangay_code", "")}
        region, province = sample.get("region_code", ""), sample.get("province_code", "")
        municipality, barangay = sample.get("municipality_code", ""), sample.get("barangay_code", "")
        user, _ = get_user_model().objects.get_or_create(username="bench-analytics", defaults={"is_superuser": True,
                                                                                              "is_staff": True})
        client = APIClient()
        client.force_authenticate(user)
        dates = {"date_from": "2026-07-01", "date_to": "2026-09-30"}
        cycle = {"program_code": "4PS", "cycle": "4PS-2026-11"}
        cases = [
            ("summary", {}), ("summary", {"region_code": region}), ("summary", {"province_code": province}),
            ("summary", {"municipality_code": municipality}), ("summary", {"barangay_code": barangay}),
            ("summary", cycle), ("summary", dates), ("summary", {"region_code": region, **cycle, **dates}),
            ("timeseries", {"kpi": "households_registered"}),
            ("timeseries", {"kpi": "households_registered", "interval": "week", "region_code": region}),
            ("timeseries", {"kpi": "enrolled", "interval": "month", "municipality_code": municipality}),
            ("timeseries", {"kpi": "amount_paid", **cycle}),
            ("timeseries", {"kpi": "payments_paid", "interval": "week", **dates}),
            ("breakdown", {"by": "region"}), ("breakdown", {"by": "program", "province_code": province}),
        ]
        every = []
        self.stdout.write(f"{'endpoint':<11} {'filters':<70} {'p50 ms':>7} {'p95 ms':>7}")
        for endpoint, query in cases:
            path = f"/api/v1/analytics/{endpoint}"
            response = client.get(path, query)
            if response.status_code != 200:
                raise CommandError(f"{path} {query} answered {response.status_code}: {response.content[:300]}")
            times = [_elapsed_ms(lambda: client.get(path, query)) for _ in range(repeats)]
            every += times
            self.stdout.write(f"{endpoint:<11} {str(query)[:70]:<70} {statistics.median(times):7.1f} "
                              f"{_p95(times):7.1f}")
        self.stdout.write(f"all {len(every)} requests: p50 {statistics.median(every):.1f} ms, p95 {_p95(every):.1f} ms"
                          f"; load average {_load()}")
        national = client.get("/api/v1/analytics/summary").json()
        self.stdout.write(f"national: {national['households_registered']:,} households, "
                          f"{national['payments_scheduled']:,} payments, coverage {national['coverage']}")

    def _compare(self, store) -> None:
        """The alternative: no counters, the national summary as one $group over every state."""
        states = store.db[store._names(store.live_generation())[0]]
        pipeline = [{"$group": {"_id": {"kind": "$kind", "status": "$status"}, "n": {"$sum": 1},
                                "amount": {"$sum": {"$ifNull": ["$amount", 0]}}}}]
        times = [_elapsed_ms(lambda: list(states.aggregate(pipeline))) for _ in range(3)]
        self.stdout.write(f"national summary by aggregating {states.estimated_document_count():,} states: "
                          f"p50 {statistics.median(times):.0f} ms (3 runs), against the cells' above; "
                          f"load average {_load()}")

    # --- the consumer -------------------------------------------------------------------------------
    def _consume(self, store, count: int, batch_size: int, raw: bool) -> None:
        from analytics.services import events_apply

        events = [e for _, household_events in synthetic.households(count, seed=7) for e in household_events]
        events.sort(key=lambda event: event.time)  # as a live log holds them: in the order they happened
        if raw:
            self._raw(store, events, batch_size)
        generation = f"bench{int(time.time())}"  # a generation of its own, never the live one
        store._ensure_indexes(generation)
        started = time.perf_counter()
        for start in range(0, len(events), batch_size):
            events_apply(events=events[start:start + batch_size], generation=generation)
        elapsed = time.perf_counter() - started
        again = time.perf_counter()
        for start in range(0, len(events), batch_size):  # every event again: found, merged, nothing written
            events_apply(events=events[start:start + batch_size], generation=generation)
        replay = time.perf_counter() - again
        self.stdout.write(f"consumer handler: {len(events):,} events of {count:,} households in {elapsed:.1f}s = "
                          f"{len(events) / elapsed:,.0f} events/s (batches of {batch_size}); the same again "
                          f"(duplicates): {len(events) / replay:,.0f} events/s; load average {_load()}")
        self.stdout.write(f"its documents are in generation {generation!r} (drop_generation to remove them)")

    def _raw(self, store, events: list, batch_size: int) -> None:
        """The writes the handler makes, batch by batch, computed beforehand, then sent bare: what the
        server allows whatever the handler's own work."""
        from pymongo import InsertOne, ReplaceOne, UpdateOne

        states, batches = {}, []
        for start in range(0, len(events), batch_size):
            facts = [fact_of(event) for event in events[start:start + batch_size]]
            found = {f.key: states[f.key] for f in facts if f.key in states}
            changed = project(found, facts)
            writes = [ReplaceOne({"_id": key, "rev": found[key]["rev"]}, {**state, "rev": found[key]["rev"] + 1})
                      if key in found else InsertOne({"_id": key, **state, "rev": 1})
                      for key, state in changed.items()]
            increments = [UpdateOne({"_id": key}, {"$inc": {"n": n, "amount": amount},
                                                   "$setOnInsert": cell.document()}, upsert=True)
                          for key, (cell, n, amount) in deltas(found, changed).items()]
            batches.append((list({f.key for f in facts}), writes, increments))
            states.update({key: {**state, "rev": found[key]["rev"] + 1 if key in found else 1}
                           for key, state in changed.items()})
        for transactions in (True, False):  # without: what the transaction itself costs
            generation = f"raw{int(time.time())}{'t' if transactions else 'n'}"
            store._ensure_indexes(generation)
            states_collection, cells_collection = (store.db[name] for name in store._names(generation))

            def one_batch(session, keys, writes, increments):
                list(states_collection.find({"_id": {"$in": keys}}, session=session))
                states_collection.bulk_write(writes, ordered=False, session=session)
                if increments:
                    cells_collection.bulk_write(increments, ordered=False, session=session)

            started = time.perf_counter()
            for keys, writes, increments in batches:
                if transactions:
                    with store.client.start_session() as session:
                        session.with_transaction(lambda s: one_batch(s, keys, writes, increments))
                else:
                    one_batch(None, keys, writes, increments)
            elapsed = time.perf_counter() - started
            self.stdout.write(f"raw pymongo, the same reads and writes ({sum(len(b[1]) for b in batches):,} states, "
                              f"{sum(len(b[2]) for b in batches):,} cell increments, {len(batches)} batches, "
                              f"{'one transaction each' if transactions else 'no transaction'}): {elapsed:.1f}s = "
                              f"{len(events) / elapsed:,.0f} events/s; load average {_load()}")
            store.drop_generation(generation)


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]


def _load() -> str:
    import os

    return " ".join(f"{x:.2f}" for x in os.getloadavg())
