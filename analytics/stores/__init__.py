"""Where the read model lives: MongoDB in production, the SQL database in the embedded default.

Both keep the same two kinds of document: a state per aggregate (household, assessment, enrolment,
payment), merged under the producer's order (`facts.merge`), and cells, counters per measure, place
level, program, cycle and day. A batch of events loads its aggregates' states, merges the events,
and writes the changed states and the cells' differences in ONE transaction, so the counters always
equal the sums of the states' contributions; an event applied twice, or late, changes no state and
so no counter, whatever the consumer's inbox (in another database) remembers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from django.conf import settings


@dataclass(frozen=True)
class Query:
    """Cells of one level whose codes, program, cycle and day match. Figures with no program (the
    households) or no cycle (everything but payments) are kept by program and cycle filters."""

    level: str
    codes: dict[str, str] = field(default_factory=dict)
    program_code: str = ""
    cycle: str = ""
    day_from: str = ""
    day_to: str = ""
    measures: tuple[str, ...] = ()


def get_store():
    return _store(settings.ANALYTICS_MONGODB_URI, settings.ANALYTICS_MONGODB_DB)


@cache
def _store(uri: str, database: str):
    if uri:
        from .mongo import MongoStore

        return MongoStore(uri, database)
    from .sql import SqlStore

    return SqlStore()


def __getattr__(name: str):
    """`analytics.stores.MongoStore`, as callers (bench_saga) name it, without importing pymongo's store early."""
    if name == "MongoStore":
        from .mongo import MongoStore

        return MongoStore
    raise AttributeError(name)
