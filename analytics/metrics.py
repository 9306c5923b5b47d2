"""Business KPIs for Prometheus, read from the read model at scrape time (national and by region):
the Grafana dashboard's "Programme" row. Counts are national figures of the whole read model; no
small-cell suppression applies to region totals, which are far above ANALYTICS_MIN_CELL (and
/metrics is not public: the gateway does not route it)."""

from prometheus_client.core import GaugeMetricFamily

FIGURES = ("households_registered", "households_active", "households_approved", "households_denied",
           "households_enrolled", "households_waitlisted", "households_suspended", "households_exited")


class AnalyticsCollector:
    def describe(self):
        yield GaugeMetricFamily("dsrs_analytics_households", "Households by figure and region", labels=["figure", "region"])
        yield GaugeMetricFamily("dsrs_analytics_payments", "Payments by state and region", labels=["state", "region"])
        yield GaugeMetricFamily("dsrs_analytics_payment_amount_pesos", "Payment amounts by state and region",
                                labels=["state", "region"])

    def collect(self):
        from . import selectors

        try:
            rows = selectors.breakdown_get(by="region")
        except Exception:  # the readiness probe reports the store; a scrape must not fail on it
            return
        households = GaugeMetricFamily("dsrs_analytics_households", "Households by figure and region",
                                       labels=["figure", "region"])
        payments = GaugeMetricFamily("dsrs_analytics_payments", "Payments by state and region", labels=["state", "region"])
        amounts = GaugeMetricFamily("dsrs_analytics_payment_amount_pesos", "Payment amounts by state and region",
                                    labels=["state", "region"])
        for row in rows:
            for figure in FIGURES:
                households.add_metric([figure, row["region"]], row[figure] or 0)
            for state, figures in row["payments"].items():
                payments.add_metric([state, row["region"]], figures["count"] or 0)
                amounts.add_metric([state, row["region"]], float(figures["amount"] or 0))
        yield households
        yield payments
        yield amounts


_registered = False


def register_collector() -> None:
    global _registered
    if not _registered:
        from prometheus_client import REGISTRY

        REGISTRY.register(AnalyticsCollector())
        _registered = True
