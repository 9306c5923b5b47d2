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

import functools
import statistics
import time

from django.core.management.base import BaseCommand, CommandError

from analytics import synthetic
from analytics.dimensions import CODE_FIELDS, levels_of
from analytics.facts import _cell, contributions, deltas, fact_of, project
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
        """States straight from `synthetic.household_states`; cells summed municipality by municipality
        from the measures `contributions` gives each template state, then counted at every level of the
        place (what `contributions` does for each state), flushed as the walk leaves a municipality
        (provinces, regions and the nation at the end). Inserted unordered in batches of 10,000 by
        three writer threads while the next batch is computed. The indexes are made first: SecantusDB 0.6
        builds an index on a full collection far slower than it maintains it during inserts."""
        from concurrent.futures import ThreadPoolExecutor

        if store.db.cells.estimated_document_count() or store.live_generation():
            raise CommandError(f"{store.db.name} already holds a read model; load into an empty database")
        store._ensure_indexes("")
        started, events, totals = time.monotonic(), 0, {"states": 0, "cells": 0}
        writer, pending = ThreadPoolExecutor(max_workers=_WRITERS), []

        def insert(collection, documents: list) -> None:
            while len(pending) > _WRITERS:  # a batch waiting per writer: memory stays flat, the server busy
                pending.pop(0).result()
            pending.append(writer.submit(collection.insert_many, documents, ordered=False))

        states: list[dict] = []
        cells: dict[str, list] = {}
        upper: dict[str, list] = {}  # provinces, regions and the nation: complete only at the end
        measures: dict[tuple, list[int]] = {}
        municipality = None

        def flush_municipality() -> None:
            levels = {}
            for (place, measure, program, cycle, day), (n, amount) in measures.items():
                if place not in levels:
                    levels[place] = [(level, tuple(codes.items()), cells if level == "municipality" else upper)
                                     for level, codes in levels_of(dict(place))]
                for level, codes, pool in levels[place]:
                    cell = _cell(measure, level, codes, program, cycle, day)
                    entry = pool.get(cell.key)
                    if entry is None:
                        pool[cell.key] = [cell, n, amount]
                    else:
                        entry[1] += n
                        entry[2] += amount
            measures.clear()

        def flush_cells(pool: dict) -> None:
            documents = [{"_id": key, **cell.document(), "n": n, "amount": amount}
                         for key, (cell, n, amount) in pool.items()]
            for start in range(0, len(documents), 10000):
                insert(store.db.cells, documents[start:start + 10000])
            totals["cells"] += len(documents)
            pool.clear()

        for index, (place, household_states, n_events) in enumerate(synthetic.household_states(count), start=1):
            if place["municipality_code"] != municipality:
                flush_municipality()
                municipality = place["municipality_code"]
                if len(cells) >= 10000:
                    flush_cells(cells)
            events += n_events
            where = tuple((field, place[field]) for field in CODE_FIELDS[:-1])  # counters stop at the municipality
            for key, state in household_states.items():
                states.append({"_id": key, **state, "rev": 1})
                for measure, program, cycle, day, amount in _measures_of(state):
                    entry = measures.setdefault((where, measure, program, cycle, day), [0, 0])
                    entry[0] += 1
                    entry[1] += amount
            if len(states) >= 10000:
                insert(store.db.states, states)
                totals["states"] += len(states)
                states = []
            if index % 100000 == 0:
                self.stdout.write(f"  {index:,} households, {events:,} events, {time.monotonic() - started:.0f}s; "
                                  f"load average {_load()}")
        flush_municipality()
        if states:
            insert(store.db.states, states)
            totals["states"] += len(states)
        flush_cells(cells)
        flush_cells(upper)
        for future in pending:
            future.result()
        writer.shutdown()
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
            writes = [ReplaceOne({"_id": key}, {**state, "rev": found[key]["rev"] + 1})
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


# Connections inserting at once: the server inserts a batch on one thread, so a few batches in flight keep
# both cores of the shared machine at work (and the server's share of them when others run too).
_WRITERS = 3


def _measures_of(state: dict) -> tuple[tuple[str, str, str, str, int], ...]:
    """(measure, program, cycle, day, amount) of a state: its national cells (`contributions` counts
    each of them once at every level of the state's place)."""
    return _national(*(state.get(name) for name in ("kind", "status", "first_day", "day", "program_code", "cycle",
                                                   "amount")))


@functools.lru_cache(maxsize=None)
def _national(*counted) -> tuple[tuple[str, str, str, str, int], ...]:
    state = dict(zip(("kind", "status", "first_day", "day", "program_code", "cycle", "amount"), counted))
    return tuple((cell.measure, cell.program_code, cell.cycle, cell.day, amount)
                 for cell, amount in contributions(state, finest="national"))


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]


def _load() -> str:
    import os

    return " ".join(f"{x:.2f}" for x in os.getloadavg())
