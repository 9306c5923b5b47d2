from django.db.models import Count, QuerySet, Sum

from dsrs.querying import filtered, in_regions

from .models import Batch, Cycle, Entitlement, Payment, ReconciliationException


def _dated(queryset, field, since, until):
    return filtered(queryset, **{f"{field}__date__gte": since, f"{field}__date__lte": until})


def payment_list(*, regions, program_code=None, cycle_code=None, status=None, region_code=None, household_id=None,
                 batch_id=None, since=None, until=None) -> QuerySet[Payment]:
    rows = in_regions(Payment.objects.select_related("cycle"), regions)
    return _dated(filtered(rows, program_code=program_code, cycle__code=cycle_code, status=status,
                           region_code=region_code, household_id=household_id, batch_id=batch_id),
                  "updated_at", since, until)


def entitlement_list(*, regions, program_code=None, cycle_code=None, region_code=None, household_id=None,
                     batch_id=None, since=None, until=None, status=None) -> QuerySet[Entitlement]:
    rows = in_regions(Entitlement.objects.select_related("cycle", "payment"), regions)
    return _dated(filtered(rows, program_code=program_code, cycle__code=cycle_code, region_code=region_code,
                           household_id=household_id, batch_id=batch_id, payment__status=status),
                  "created_at", since, until)


def batch_list(*, regions, program_code=None, cycle_code=None, status=None, region_code=None, since=None,
               until=None, household_id=None) -> QuerySet[Batch]:
    rows = in_regions(Batch.objects.select_related("cycle__program"), regions)
    rows = filtered(rows, cycle__program__code=program_code, cycle__code=cycle_code, status=status,
                    region_code=region_code)
    if household_id:
        rows = rows.filter(entitlements__household_id=household_id)
    return _dated(rows, "created_at", since, until)


def cycle_list(*, regions, program_code=None, cycle_code=None, status=None, region_code=None, since=None,
               until=None) -> QuerySet[Cycle]:
    """Cycles are national; a regional caller sees them (its figures come from its batches)."""
    rows = filtered(Cycle.objects.select_related("program"), program__code=program_code, code=cycle_code,
                    status=status)
    if region_code:
        rows = rows.filter(pk__in=Batch.objects.filter(region_code=region_code).values("cycle_id"))
    return filtered(rows, period_start__gte=since, period_end__lte=until)


def exception_list(*, regions, status=None) -> QuerySet[ReconciliationException]:
    return filtered(in_regions(ReconciliationException.objects.all(), regions), status=status)


def totals(payments: QuerySet[Payment]) -> dict[str, dict[str, int]]:
    """Count and centavos per status; `all` adds them up (to the centavo, integers only)."""
    answer = {row["status"]: {"count": row["n"], "centavos": row["total"] or 0}
              for row in payments.order_by().values("status").annotate(n=Count("pk"), total=Sum("amount_centavos"))}
    answer["all"] = {"count": sum(v["count"] for v in answer.values()),
                     "centavos": sum(v["centavos"] for v in answer.values())}
    return answer


def batch_totals(batch: Batch) -> dict:
    return totals(Payment.objects.filter(batch=batch))


def cycle_totals(cycle: Cycle, *, regions=None) -> dict:
    return totals(in_regions(Payment.objects.filter(cycle=cycle), regions))
