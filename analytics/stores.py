"""Where the read model lives: MongoDB in production, the SQL database in the embedded default.

Both keep state, not counters: one document per household (its latest assessment) and one per
payment (its latest status). Applying an event is an upsert guarded by the household's version or
the payment's status, so delivering any event twice, or replaying the whole log, changes nothing;
that holds in the store itself, whatever the consumer's inbox (in another database) says.
"""

from __future__ import annotations

import threading
from functools import cache

from django.conf import settings
from django.db.models import Count, Sum
from pymongo import UpdateOne

from . import models
from .facts import AssessmentFact, PaymentFact, Summary


class MongoStore:
    def __init__(self, uri: str, database: str):
        from pymongo import ASCENDING, MongoClient

        self.client = MongoClient(uri, serverSelectionTimeoutMS=5000, connectTimeoutMS=5000, tz_aware=True,
                                  appname="dsrs-analytics")
        self.db = self.client[database]
        self._indexes = [
            (self.db.assessments, [("decision", ASCENDING), ("region_code", ASCENDING)]),
            (self.db.payments, [("status", ASCENDING), ("region_code", ASCENDING)]),
        ]
        self._indexed = False
        self._pending = threading.local()

    def start_batch(self) -> None:
        self._pending.ops = {"assessments": [], "payments": []}

    def finish_batch(self) -> None:
        """Write the batch's upserts in one round trip per collection.

        Unordered is safe: every upsert here commutes with the others (version guards and
        $setOnInsert), so their order within a batch does not change the result.
        """
        from pymongo.errors import BulkWriteError, ConnectionFailure

        from dsrs.events.runtime import TransientError

        pending, self._pending.ops = getattr(self._pending, "ops", None), None
        writes = {name: ops for name, ops in (pending or {}).items() if ops}
        if not writes:
            return
        try:
            self._ensure_indexes()
            for name, ops in writes.items():
                self.db[name].bulk_write(ops, ordered=False)
        except BulkWriteError as exc:
            others = [e for e in exc.details.get("writeErrors", []) if e.get("code") != 11000]
            if others or exc.details.get("writeConcernErrors"):
                raise
        except ConnectionFailure as exc:
            raise TransientError(f"MongoDB unavailable: {exc}") from exc

    def _write(self, collection: str, op) -> None:
        ops = getattr(self._pending, "ops", None)
        if ops is not None:
            ops[collection].append(op)
        else:
            self._guarded(lambda: self.db[collection].bulk_write([op]))

    def _ensure_indexes(self) -> None:
        if not self._indexed:
            for collection, keys in self._indexes:
                collection.create_index(keys)
            self._indexed = True

    def _guarded(self, write):
        from pymongo.errors import BulkWriteError, ConnectionFailure, DuplicateKeyError

        from dsrs.events.runtime import TransientError

        try:
            self._ensure_indexes()
            write()
        except BulkWriteError as exc:
            if any(e.get("code") != 11000 for e in exc.details.get("writeErrors", [])):
                raise
        except DuplicateKeyError:
            # The guard did not match and the upsert collided with the existing document: that
            # document already holds this version or a newer one.
            pass
        except ConnectionFailure as exc:
            raise TransientError(f"MongoDB unavailable: {exc}") from exc

    def record_assessment(self, fact: AssessmentFact) -> None:
        self._write("assessments", UpdateOne(
            {"_id": fact.household_id, "household_version": {"$lt": fact.household_version}},
            {"$set": {"household_version": fact.household_version, "program_code": fact.program_code,
                      "decision": fact.decision, "region_code": fact.region_code, "assessed_at": fact.assessed_at}},
            upsert=True,
        ))

    def _payment_fields(self, fact: PaymentFact) -> dict:
        return {"household_id": fact.household_id, "program_code": fact.program_code, "cycle": fact.cycle,
                "amount_centavos": fact.amount_centavos, "currency": fact.currency, "region_code": fact.region_code}

    def record_payment_scheduled(self, fact: PaymentFact) -> None:
        self._write("payments", UpdateOne(
            {"_id": fact.payment_id},
            {"$setOnInsert": self._payment_fields(fact) | {"status": "scheduled"},
             "$set": {"scheduled_at": fact.scheduled_at}},
            upsert=True,
        ))

    def record_payment_completed(self, fact: PaymentFact) -> None:
        self._write("payments", UpdateOne(
            {"_id": fact.payment_id},
            {"$setOnInsert": self._payment_fields(fact),
             "$set": {"status": "completed", "completed_at": fact.completed_at}},
            upsert=True,
        ))

    def summary(self, *, region_code: str | None = None, program_code: str | None = None) -> Summary:
        match = {k: v for k, v in {"region_code": region_code, "program_code": program_code}.items() if v}
        summary = Summary()
        for row in self.db.assessments.aggregate([{"$match": match},
                                                  {"$group": {"_id": "$decision", "n": {"$sum": 1}}}]):
            summary.assessed += row["n"]
            if row["_id"] == "approved":
                summary.approved = row["n"]
            elif row["_id"] == "denied":
                summary.denied = row["n"]
        for row in self.db.payments.aggregate([
            {"$match": match},
            {"$group": {"_id": "$status", "n": {"$sum": 1}, "amount": {"$sum": "$amount_centavos"}}},
        ]):
            summary.payments_scheduled += row["n"]
            summary.amount_scheduled_centavos += row["amount"]
            if row["_id"] == "completed":
                summary.payments_completed = row["n"]
                summary.amount_completed_centavos = row["amount"]
        return summary

    def check(self) -> None:
        self.client.admin.command("ping")


class SqlStore:
    """Writes at once: it shares the consumer's transaction, which already makes a batch atomic."""

    def start_batch(self) -> None:
        pass

    def finish_batch(self) -> None:
        pass

    def record_assessment(self, fact: AssessmentFact) -> None:
        values = {"household_version": fact.household_version, "program_code": fact.program_code,
                  "decision": fact.decision, "region_code": fact.region_code, "assessed_at": fact.assessed_at}
        newer = models.HouseholdAssessmentFact.objects.filter(household_id=fact.household_id,
                                                              household_version__lt=fact.household_version)
        if not newer.update(**values):
            models.HouseholdAssessmentFact.objects.get_or_create(household_id=fact.household_id, defaults=values)

    def _payment_fields(self, fact: PaymentFact) -> dict:
        return {"household_id": fact.household_id, "program_code": fact.program_code, "cycle": fact.cycle,
                "amount_centavos": fact.amount_centavos, "currency": fact.currency, "region_code": fact.region_code}

    def record_payment_scheduled(self, fact: PaymentFact) -> None:
        _, created = models.PaymentFact.objects.get_or_create(
            payment_id=fact.payment_id,
            defaults=self._payment_fields(fact) | {"status": "scheduled", "scheduled_at": fact.scheduled_at},
        )
        if not created:
            models.PaymentFact.objects.filter(payment_id=fact.payment_id).update(scheduled_at=fact.scheduled_at)

    def record_payment_completed(self, fact: PaymentFact) -> None:
        completed = {"status": "completed", "completed_at": fact.completed_at}
        if not models.PaymentFact.objects.filter(payment_id=fact.payment_id).update(**completed):
            models.PaymentFact.objects.get_or_create(payment_id=fact.payment_id,
                                                     defaults=self._payment_fields(fact) | completed)

    def summary(self, *, region_code: str | None = None, program_code: str | None = None) -> Summary:
        match = {k: v for k, v in {"region_code": region_code, "program_code": program_code}.items() if v}
        summary = Summary()
        for row in models.HouseholdAssessmentFact.objects.filter(**match).values("decision").annotate(n=Count("pk")):
            summary.assessed += row["n"]
            setattr(summary, row["decision"], row["n"]) if row["decision"] in ("approved", "denied") else None
        payments = models.PaymentFact.objects.filter(**match).values("status")
        for row in payments.annotate(n=Count("pk"), amount=Sum("amount_centavos")):
            summary.payments_scheduled += row["n"]
            summary.amount_scheduled_centavos += row["amount"] or 0
            if row["status"] == "completed":
                summary.payments_completed = row["n"]
                summary.amount_completed_centavos = row["amount"] or 0
        return summary

    def check(self) -> None:
        models.PaymentFact.objects.exists()


@cache
def _store(uri: str, database: str):
    return MongoStore(uri, database) if uri else SqlStore()


def get_store() -> MongoStore | SqlStore:
    return _store(settings.ANALYTICS_MONGODB_URI, settings.ANALYTICS_MONGODB_DB)
