"""A small world of events: households in three municipalities, their assessments, enrolments and two
cycles of payments, in lifecycle and legacy events, with the figures it must give."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from tests.analytics import events as ev

DAY = date(2026, 11, 2)  # a Monday


def _id(*parts) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, ":".join(map(str, parts))))


def world(per_municipality: tuple[int, int, int] = (12, 4, 3)) -> dict[str, list]:
    """The events of each household (and its payments), in the order their producers published them.

    In each municipality: households registered on consecutive days; every third one updated (version
    2) and every fourth one of those moved to the next municipality; the first two thirds approved and
    enrolled, the rest denied; the last approved waitlisted, the third exited later; in cycle 1 every enrolled household paid
    (lifecycle events) except one failed and one still sent; in cycle 2 legacy scheduled/completed.
    """
    municipalities = list(ev.PLACES)
    stories: dict[str, list] = {}
    for m_index, (municipality, count) in enumerate(zip(municipalities, per_municipality)):
        place = ev.PLACES[municipality]
        for i in range(count):
            household = _id("household", municipality, i)
            day = DAY + timedelta(days=i)
            story = [ev.household(household, place=place, day=day)]
            version = 1
            if i % 3 == 2:
                version = 2
                if i % 4 == 3:
                    place = ev.PLACES[municipalities[(m_index + 1) % 3]]
                story.append(ev.household(household, version=2, place=place, day=day + timedelta(days=1)))
            approved = i < count * 2 // 3
            story.append(ev.assessment(household, decision="approved" if approved else "denied", place=place,
                                       day=day, household_version=version))
            if approved:
                waitlisted = i == count * 2 // 3 - 1
                story.append(ev.enrolment(household, status="waitlisted" if waitlisted else "enrolled",
                                          place=place, day=day))
                if not waitlisted:
                    until = "failed" if i == 0 else "sent" if i == 1 else "paid"
                    story += ev.payment_life(_id("payment", household, 1), household, until=until, place=place,
                                             day=day + timedelta(days=2))
                    second = _id("payment", household, 2)
                    story += [ev.legacy_payment(second, household, completed=False, place=place,
                                                day=day + timedelta(days=30), cycle="2026-12"),
                              ev.legacy_payment(second, household, completed=True, place=place,
                                                day=day + timedelta(days=31), cycle="2026-12")]
            if i == 2 and approved:
                story.append(ev.enrolment(household, status="exited", place=place, day=day + timedelta(days=40),
                                          version=2, previous="enrolled"))
            place = ev.PLACES[municipality]
            stories[household] = story
    return stories


def in_order(stories: dict[str, list]) -> list:
    """Every household's events in publishing order, households interleaved as partitions would."""
    longest = max(len(s) for s in stories.values())
    return [story[i] for i in range(longest) for story in stories.values() if i < len(story)]
