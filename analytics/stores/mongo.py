"""The read model in MongoDB (pymongo): collections `states` and `cells` (suffixed by a rebuild's
generation), and `meta`, which names the live generation.

One batch is one multi-document transaction (MongoDB 4.0+ on a replica set): read the states (one
find), write the changed ones (one unordered bulk_write), increment the cells (one more, one $inc per
cell summed over the batch). Two writers of one aggregate (a rebalance, a rebuild catching up beside
the live consumer) cannot both win: the transaction that writes a state another one changed after it
read it fails with WriteConflict (TransientTransactionError; documented MongoDB semantics, and what
SecantusDB 0.6 does too), and with_transaction applies the batch again from fresh states.
"""

from __future__ import annotations

import logging

from pymongo import ASCENDING, InsertOne, MongoClient, ReplaceOne, UpdateOne
from pymongo.errors import BulkWriteError, ConnectionFailure, DuplicateKeyError, OperationFailure, PyMongoError

from dsrs.events.runtime import TransientError

from ..dimensions import CODE_FIELDS, LEVEL_OF_FIELD
from ..facts import Fact, deltas, group_states, project
from . import Query

logger = logging.getLogger(__name__)

# Unauthorized, AuthenticationFailed, NotWritablePrimary, NotPrimaryNoSecondaryOk, InterruptedDueToReplStateChange.
_NOT_THE_EVENTS_FAULT = {13, 18, 10107, 13435, 11602}
_ATTEMPTS = 5


class _Conflict(Exception):
    """Another writer changed a state between this batch's read and write."""


class MongoStore:
    def __init__(self, uri: str, database: str):
        self.client = MongoClient(uri, serverSelectionTimeoutMS=5000, connectTimeoutMS=5000, tz_aware=True,
                                  appname="dsrs-analytics")
        self.db = self.client[database]
        self._indexed: set[str] = set()

    # --- generations --------------------------------------------------------------------------------
    def live_generation(self) -> str:
        found = self.db.meta.find_one({"_id": "live"})
        return found["generation"] if found else ""

    def set_live_generation(self, generation: str) -> None:
        self.db.meta.replace_one({"_id": "live"}, {"_id": "live", "generation": generation}, upsert=True)

    def _names(self, generation: str) -> tuple[str, str]:
        suffix = f"_{generation}" if generation else ""
        return f"states{suffix}", f"cells{suffix}"

    def drop_generation(self, generation: str) -> None:
        for name in self._names(generation):
            self.db.drop_collection(name)
        self._indexed.discard(generation)

    def generations(self) -> list[str]:
        return sorted({"" if n == "cells" else n.removeprefix("cells_") for n in self.db.list_collection_names()
                       if n == "cells" or n.startswith("cells_")})

    def _ensure_indexes(self, generation: str) -> None:
        if generation in self._indexed:
            return
        states, cells = (self.db[name] for name in self._names(generation))
        states.create_index([("barangay_code", ASCENDING)])  # a barangay's figures come from its states
        cells.create_index([("level", ASCENDING), ("day", ASCENDING)])
        for code in CODE_FIELDS[:-1]:  # the API reads one level, narrowed by its code, over a range of days
            cells.create_index([("level", ASCENDING), (code, ASCENDING), ("day", ASCENDING)])
        self._indexed.add(generation)

    # --- writing ------------------------------------------------------------------------------------
    def apply(self, facts: list[Fact], *, generation: str | None = None) -> None:
        if not facts:
            return
        try:  # reading the live generation is the first thing an outage stops: it must be transient too
            generation = self.live_generation() if generation is None else generation
            self._ensure_indexes(generation)
            for attempt in range(1, _ATTEMPTS + 1):
                try:
                    with self.client.start_session() as session:
                        session.with_transaction(lambda s: self._apply(s, generation, facts))
                    return
                except (_Conflict, DuplicateKeyError) as exc:
                    if attempt == _ATTEMPTS:
                        raise TransientError(f"analytics states kept changing under this batch: {exc}") from exc
                    logger.info("analytics batch met another writer (attempt %d), applying it again", attempt)
        except ConnectionFailure as exc:
            raise TransientError(f"MongoDB unavailable: {exc}") from exc
        except BulkWriteError as exc:
            if exc.details.get("writeConcernErrors"):
                raise TransientError(f"MongoDB did not confirm the writes: {exc.details['writeConcernErrors'][:1]}") from exc
            if any(e.get("code") == 11000 for e in exc.details.get("writeErrors", [])):
                raise TransientError("analytics states were inserted by another writer meanwhile") from exc
            raise
        except OperationFailure as exc:
            # Refused credentials or a primary stepping down say nothing about the events themselves:
            # stop and retry later, never dead-letter.
            if exc.code in _NOT_THE_EVENTS_FAULT or exc.has_error_label("RetryableWriteError") \
                    or exc.has_error_label("TransientTransactionError"):
                raise TransientError(f"MongoDB refused the writes: {exc}") from exc
            raise

    def _apply(self, session, generation: str, facts: list[Fact]) -> None:
        states_name, cells_name = self._names(generation)
        states, cells = self.db[states_name], self.db[cells_name]
        found = {doc.pop("_id"): doc for doc in states.find({"_id": {"$in": list({f.key for f in facts})}},
                                                            session=session)}
        revisions = {key: doc.pop("rev") for key, doc in found.items()}
        changed = project(found, facts)
        if not changed:
            return
        # Filtered by _id alone: the transaction is the guard. A state another writer changed after this
        # transaction read it makes the replace fail with WriteConflict (TransientTransactionError), and
        # with_transaction applies the batch again from fresh states; a state inserted meanwhile, the same.
        writes = [ReplaceOne({"_id": key}, {**state, "rev": revisions[key] + 1})
                  if key in found else InsertOne({"_id": key, **state, "rev": 1}) for key, state in changed.items()]
        result = states.bulk_write(writes, ordered=False, session=session)
        if result.matched_count + result.inserted_count != len(writes):
            raise _Conflict(f"{len(writes) - result.matched_count - result.inserted_count} states changed meanwhile")
        increments = [UpdateOne({"_id": key}, {"$inc": {"n": n, "amount": amount}, "$setOnInsert": cell.document()},
                                upsert=True) for key, (cell, n, amount) in deltas(found, changed).items()]
        if increments:
            cells.bulk_write(increments, ordered=False, session=session)

    # --- reading ------------------------------------------------------------------------------------
    def _match(self, query: Query) -> list[dict]:
        """Two $match stages: what the cells' indexes hold (level, the level's code, days), then the rest.
        MongoDB merges adjacent $match stages into one; the MongoDB-wire test server (SecantusDB 0.6)
        plans only the first and scans the whole collection as soon as one filter also names a field no
        index holds (program, cycle, measures): 4 to 8 s at 740,000 cells, against 10 to 25 ms."""
        own = {field: code for field, code in query.codes.items() if LEVEL_OF_FIELD[field] == query.level}
        indexed: dict = {"level": query.level, **own}
        if query.day_from or query.day_to:
            indexed["day"] = {**({"$gte": query.day_from} if query.day_from else {}),
                              **({"$lte": query.day_to} if query.day_to else {})}
        rest: dict = {field: code for field, code in query.codes.items() if field not in own}
        if query.program_code:
            rest["program_code"] = {"$in": ["", query.program_code]}
        if query.cycle:
            rest["cycle"] = {"$in": ["", query.cycle]}
        if query.measures:
            rest["measure"] = {"$in": list(query.measures)}
        return [{"$match": indexed}, *([{"$match": rest}] if rest else [])]

    def group(self, query: Query, by: tuple[str, ...] = ()) -> dict[tuple, tuple[int, int]]:
        """Sums of the matching cells' counts and amounts by the fields `by` and the measure."""
        states_name, cells_name = self._names(self.live_generation())
        if query.level == "barangay":
            return group_states(self.db[states_name].find({"barangay_code": query.codes["barangay_code"]}), query, by)
        cells = self.db[cells_name]
        keys = {f"k{i}": f"${name}" for i, name in enumerate((*by, "measure"))}
        rows = cells.aggregate([*self._match(query),
                                {"$group": {"_id": keys, "n": {"$sum": "$n"}, "amount": {"$sum": "$amount"}}}])
        return {tuple(row["_id"][k] for k in keys): (row["n"], row["amount"]) for row in rows}

    def dump(self, generation: str) -> tuple[list, list]:
        """Every state and every non-empty cell of a generation, comparable across generations."""
        states_name, cells_name = self._names(generation)
        states = sorted(((d["_id"], {k: v for k, v in d.items() if k not in ("_id", "rev")})
                         for d in self.db[states_name].find()), key=lambda pair: pair[0])
        cells = sorted((d["_id"], d["n"], d["amount"]) for d in self.db[cells_name].find()
                       if d["n"] or d["amount"])
        return states, cells

    def check(self) -> None:
        self.client.admin.command("ping")

    def unavailable_errors(self) -> tuple[type[Exception], ...]:
        return (PyMongoError,)
