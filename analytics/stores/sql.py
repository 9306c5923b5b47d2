"""The read model in the SQL database (the embedded default): the same states and cells as MongoDB's,
in the consumer's own transaction, so a batch's states and counters commit with its inbox rows."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, Sum

from .. import models
from ..facts import Fact, deltas, group_states, project
from . import Query


class SqlStore:
    def live_generation(self) -> str:
        row = models.LiveGeneration.objects.first()
        return row.name if row else ""

    def set_live_generation(self, generation: str) -> None:
        with transaction.atomic():
            models.LiveGeneration.objects.all().delete()
            models.LiveGeneration.objects.create(name=generation)

    def drop_generation(self, generation: str) -> None:
        models.State.objects.filter(generation=generation).delete()
        models.Cell.objects.filter(generation=generation).delete()

    def generations(self) -> list[str]:
        return sorted(set(models.Cell.objects.values_list("generation", flat=True).distinct()))

    def apply(self, facts: list[Fact], *, generation: str | None = None) -> None:
        if not facts:
            return
        with transaction.atomic():
            generation = self.live_generation() if generation is None else generation
            rows = {row.key: row for row in models.State.objects.select_for_update().filter(
                generation=generation, key__in={f.key for f in facts})}
            found = {key: row.doc for key, row in rows.items()}
            changed = project(found, facts)
            if not changed:
                return
            updated = []
            for key, state in changed.items():
                if key in rows:
                    rows[key].doc = state
                    updated.append(rows[key])
            models.State.objects.bulk_update(updated, ["doc"], batch_size=500)
            models.State.objects.bulk_create([models.State(generation=generation, key=key, doc=state)
                                              for key, state in changed.items() if key not in rows], batch_size=500)
            self._increment(generation, deltas(found, changed))

    @staticmethod
    def _increment(generation: str, changes: dict) -> None:
        cells = {cell.key: cell for cell in models.Cell.objects.select_for_update().filter(
            generation=generation, key__in=list(changes))}
        new = []
        for key, (cell, n, amount) in changes.items():
            if key in cells:
                cells[key].n += n
                cells[key].amount += amount
            else:
                new.append(models.Cell(generation=generation, key=key, n=n, amount=amount, **cell.document()))
        models.Cell.objects.bulk_update(list(cells.values()), ["n", "amount"], batch_size=500)
        models.Cell.objects.bulk_create(new, batch_size=500)

    def _cells(self, query: Query):
        cells = models.Cell.objects.filter(generation=self.live_generation(), level=query.level, **query.codes)
        if query.program_code:
            cells = cells.filter(Q(program_code="") | Q(program_code=query.program_code))
        if query.cycle:
            cells = cells.filter(Q(cycle="") | Q(cycle=query.cycle))
        if query.day_from:
            cells = cells.filter(day__gte=query.day_from)
        if query.day_to:
            cells = cells.filter(day__lte=query.day_to)
        if query.measures:
            cells = cells.filter(measure__in=query.measures)
        return cells

    def group(self, query: Query, by: tuple[str, ...] = ()) -> dict[tuple, tuple[int, int]]:
        """Sums of the matching cells' counts and amounts by the fields `by` and the measure."""
        if query.level == "barangay":
            states = models.State.objects.filter(generation=self.live_generation(),
                                                 doc__barangay_code=query.codes["barangay_code"])
            return group_states((row.doc for row in states), query, by)
        fields = (*by, "measure")
        rows = self._cells(query).values(*fields).annotate(total=Sum("n"), money=Sum("amount"))
        return {tuple(row[f] for f in fields): (row["total"], row["money"]) for row in rows}

    def dump(self, generation: str) -> tuple[list, list]:
        states = sorted(models.State.objects.filter(generation=generation).values_list("key", "doc"),
                        key=lambda pair: pair[0])
        cells = sorted(models.Cell.objects.filter(generation=generation).exclude(n=0, amount=0)
                       .values_list("key", "n", "amount"))
        return states, cells

    def check(self) -> None:
        models.Cell.objects.exists()

    def unavailable_errors(self) -> tuple[type[Exception], ...]:
        return ()
