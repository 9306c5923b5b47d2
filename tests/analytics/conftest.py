import os
import uuid

import pytest

from analytics import stores


@pytest.fixture(params=["sql", pytest.param("mongo", marks=pytest.mark.kafka)])
def store(request, settings):
    """The read model in each of its stores: the SQL tables, and MongoDB on the MongoDB-wire server of
    `scripts/infra` (a database of its own per test, dropped after it)."""
    stores._store.cache_clear()
    if request.param == "sql":
        settings.ANALYTICS_MONGODB_URI = ""
        yield stores.get_store()
    else:
        settings.ANALYTICS_MONGODB_URI = os.environ.get("MONGODB_URI", "")
        settings.ANALYTICS_MONGODB_DB = f"dsrs_test_analytics_{uuid.uuid4().hex[:10]}"
        store = stores.get_store()
        yield store
        store.client.drop_database(settings.ANALYTICS_MONGODB_DB)
    stores._store.cache_clear()
