"""Where the read model lives: MongoDB in production, the SQL database in the embedded default.

Both keep state, not counters: one document per household (its latest assessment) and one per
payment (its latest status). Applying an event is an upsert guarded by the household's version or
the payment's status, so delivering any event twice, or replaying the whole log, changes nothing;
that holds in the store itself, whatever the consumer's inbox (in another database) says.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.db.models import Count, Sum
from pymongo import UpdateOne

from . import models
from .facts import LEVELS_BELOW_REGION, AssessmentFact, PaymentFact, Summary


# Unauthorized, AuthenticationFailed, NotWritablePrimary, NotPrimaryNoSecondaryOk, InterruptedDueToReplStateChange.
_NOT_THE_EVENTS_FAULT = {13, 18, 10107, 13435, 11602}


def place_of(fact: AssessmentFact | PaymentFact) -> dict[str, str]:
    """The PSGC levels a fact is counted under; the summary filters by them, with the same names in both stores."""
    return {"region_code": fact.region_code, "province_code": fact.province_code,
            "municipality_code": fact.municipality_code, "barangay_code": fact.barangay_code}


def payment_fields(fact: PaymentFact) -> dict:
    """What a payment's first event sets, whichever of its events arrives first."""
    return {"household_id": fact.household_id, "program_code": fact.program_code, "cycle": fact.cycle,
            "amount_centavos": fact.amount_centavos, "currency": fact.currency} | place_of(fact)


class MongoStore:
    def __init__(self, uri: str, database: str):
        from pymongo import ASCENDING, MongoClient

        self.client = MongoClient(uri, serverSelectionTimeoutMS=5000, connectTimeoutMS=5000, tz_aware=True,
                                  appname="dsrs-analytics")
        self.db = self.client[database]
        self._indexes = [
            (self.db.assessments, [("decision", ASCENDING), ("region_code", ASCENDING)]),
            (self.db.payments, [("status", ASCENDING), ("region_code", ASCENDING)]),
            # The summary filters by one level and groups by decision or status.
            *[(self.db.assessments, [(level, ASCENDING), ("decision", ASCENDING)]) for level in LEVELS_BELOW_REGION],
            *[(self.db.payments, [(level, ASCENDING), ("status", ASCENDING)]) for level in LEVELS_BELOW_REGION],
        ]
        self._indexed = False

    def record(self, *, assessments: list[AssessmentFact], payments_scheduled: list[PaymentFact],
               payments_completed: list[PaymentFact]) -> None:
        """Apply facts with one unordered bulk write per collection.

        Unordered is safe: every upsert here commutes with the others (version guards and
        $setOnInsert), so their order does not change the result. Any write error fails the batch,
        which the consumer runtime then retries event by event.
        """
        from pymongo.errors import BulkWriteError, ConnectionFailure, OperationFailure

        from dsrs.events.runtime import TransientError

        writes = {
            "assessments": [self._assessment_upsert(f) for f in assessments],
            "payments": [self._scheduled_upsert(f) for f in payments_scheduled]
            + [self._completed_upsert(f) for f in payments_completed],
        }
        try:
            self._ensure_indexes()
            for name, ops in writes.items():
                if ops:
                    self.db[name].bulk_write(ops, ordered=False)
        except ConnectionFailure as exc:
            raise TransientError(f"MongoDB unavailable: {exc}") from exc
        except BulkWriteError as exc:
            if exc.details.get("writeConcernErrors"):
                raise TransientError(f"MongoDB did not confirm the writes: {exc.details['writeConcernErrors'][:1]}") from exc
            raise
        except OperationFailure as exc:
            # Refused credentials or a primary stepping down say nothing about the events themselves:
            # stop and retry later, never dead-letter.
            if exc.code in _NOT_THE_EVENTS_FAULT or exc.has_error_label("RetryableWriteError"):
                raise TransientError(f"MongoDB refused the writes: {exc}") from exc
            raise

    def _ensure_indexes(self) -> None:
        if not self._indexed:
            for collection, keys in self._indexes:
                collection.create_index(keys)
            self._indexed = True

    @staticmethod
    def _assessment_upsert(fact: AssessmentFact) -> UpdateOne:
        """Upsert by program and household; each field takes the new value only if this version is newer.

        An update pipeline (MongoDB 4.2+) keeps the filter a plain `_id` match, so the upsert never
        races into a duplicate key, and an older or repeated version leaves the document as it is.
        """
        newer = {"$lt": [{"$ifNull": ["$household_version", 0]}, fact.household_version]}
        values = {"household_version": fact.household_version, "program_code": fact.program_code,
                  "decision": fact.decision, "assessed_at": fact.assessed_at} | place_of(fact)
        return UpdateOne(
            {"_id": f"{fact.program_code}:{fact.household_id}"},
            [{"$set": {field: {"$cond": [newer, {"$literal": value}, f"${field}"]} for field, value in values.items()}
              | {"household_id": fact.household_id}}],
            upsert=True,
        )

    def _scheduled_upsert(self, fact: PaymentFact) -> UpdateOne:
        return UpdateOne(
            {"_id": fact.payment_id},
            {"$setOnInsert": payment_fields(fact) | {"status": "scheduled"},
             "$set": {"scheduled_at": fact.scheduled_at}},
            upsert=True,
        )

    def _completed_upsert(self, fact: PaymentFact) -> UpdateOne:
        return UpdateOne(
            {"_id": fact.payment_id},
            {"$setOnInsert": payment_fields(fact), "$set": {"status": "completed", "completed_at": fact.completed_at}},
            upsert=True,
        )

    def summary(self, *, match: dict[str, str]) -> Summary:
        summary = Summary()
        for row in self.db.assessments.aggregate([{"$match": match},
                                                  {"$group": {"_id": "$decision", "n": {"$sum": 1}}}]):
            summary.add_decisions(row["_id"], row["n"])
        for row in self.db.payments.aggregate([
            {"$match": match},
            {"$group": {"_id": "$status", "n": {"$sum": 1}, "amount": {"$sum": "$amount_centavos"}}},
        ]):
            summary.add_payments(row["_id"], row["n"], row["amount"])
        return summary

    def check(self) -> None:
        self.client.admin.command("ping")


class SqlStore:
    """The embedded default's read model; it shares the consumer's transaction."""

    def record(self, *, assessments: list[AssessmentFact], payments_scheduled: list[PaymentFact],
               payments_completed: list[PaymentFact]) -> None:
        for fact in assessments:
            self._record_assessment(fact)
        for fact in payments_scheduled:
            self._record_scheduled(fact)
        for fact in payments_completed:
            self._record_completed(fact)

    @staticmethod
    def _record_assessment(fact: AssessmentFact) -> None:
        values = {"household_version": fact.household_version, "decision": fact.decision,
                  "assessed_at": fact.assessed_at} | place_of(fact)
        newer = models.HouseholdAssessmentFact.objects.filter(
            household_id=fact.household_id, program_code=fact.program_code, household_version__lt=fact.household_version)
        if not newer.update(**values):
            models.HouseholdAssessmentFact.objects.get_or_create(household_id=fact.household_id,
                                                                 program_code=fact.program_code, defaults=values)

    def _record_scheduled(self, fact: PaymentFact) -> None:
        _, created = models.PaymentFact.objects.get_or_create(
            payment_id=fact.payment_id,
            defaults=payment_fields(fact) | {"status": "scheduled", "scheduled_at": fact.scheduled_at},
        )
        if not created:
            models.PaymentFact.objects.filter(payment_id=fact.payment_id).update(scheduled_at=fact.scheduled_at)

    def _record_completed(self, fact: PaymentFact) -> None:
        completed = {"status": "completed", "completed_at": fact.completed_at}
        if not models.PaymentFact.objects.filter(payment_id=fact.payment_id).update(**completed):
            models.PaymentFact.objects.get_or_create(payment_id=fact.payment_id,
                                                     defaults=payment_fields(fact) | completed)

    def summary(self, *, match: dict[str, str]) -> Summary:
        summary = Summary()
        for row in models.HouseholdAssessmentFact.objects.filter(**match).values("decision").annotate(n=Count("pk")):
            summary.add_decisions(row["decision"], row["n"])
        payments = models.PaymentFact.objects.filter(**match).values("status")
        for row in payments.annotate(n=Count("pk"), amount=Sum("amount_centavos")):
            summary.add_payments(row["status"], row["n"], row["amount"] or 0)
        return summary

    def check(self) -> None:
        models.PaymentFact.objects.exists()


@cache
def _store(uri: str, database: str):
    return MongoStore(uri, database) if uri else SqlStore()


def get_store() -> MongoStore | SqlStore:
    return _store(settings.ANALYTICS_MONGODB_URI, settings.ANALYTICS_MONGODB_DB)
