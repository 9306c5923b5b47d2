"""`bench_analytics --load` writes the read model the consumer would: its shortcuts (template
households, cells summed by municipality) leave exactly the states and cells of applying the events."""

import io

import pytest
from django.core.management import call_command

from analytics import synthetic
from analytics.facts import contributions, project

pytestmark = pytest.mark.django_db


def test_template_states_are_the_states_of_the_events():
    slow = [(place, project({}, synthetic.facts_of(events)), len(events))
            for place, events in synthetic.households(400)]
    assert list(synthetic.household_states(400)) == slow


@pytest.mark.kafka  # the real servers of scripts/infra
@pytest.mark.parametrize("store", ["mongo"], indirect=True)  # bench_analytics loads MongoDB only
def test_the_loaded_read_model_is_the_one_the_events_make(store):
    call_command("bench_analytics", load=300, stdout=io.StringIO())

    states, cells = {}, {}
    for _, events in synthetic.households(300):
        for key, state in project({}, synthetic.facts_of(events)).items():
            states[key] = state
            for cell, amount in contributions(state):
                entry = cells.setdefault(cell.key, [0, 0])
                entry[0] += 1
                entry[1] += amount
    assert store.dump("") == (sorted(states.items()), sorted((key, n, amount) for key, (n, amount) in cells.items()))
