"""The embedded Celery broker: kombu's SQLAlchemy transport on SQLite, pruned of what it handed out."""

from kombu import Connection

from dsrs.celery import app, prune_broker


def test_the_embedded_broker_forgets_delivered_messages_and_keeps_waiting_ones(tmp_path, monkeypatch):
    url = f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"
    monkeypatch.setitem(app.conf, "broker_url", url)
    with Connection(url) as connection:
        queue = connection.SimpleQueue("dsrs-test")
        queue.put({"n": 1})
        queue.put({"n": 2})
        queue.get(timeout=1).ack()

        assert prune_broker() == 1
        waiting = queue.get(timeout=1)
        queue.close()

    assert waiting.payload == {"n": 2}
