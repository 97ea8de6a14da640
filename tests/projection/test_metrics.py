"""The projection's shared metrics in MySQL: a gauge holds the last value set, a counter adds up."""

import pytest

from projection import metrics

pytestmark = pytest.mark.django_db


def test_a_gauge_holds_the_last_value_set_and_a_counter_adds_up():
    # given a gauge set twice and two batches recorded
    metrics.set_gauge(metrics.LAST_CLAIM_AT, 1_000.0)
    metrics.set_gauge(metrics.LAST_CLAIM_AT, 2_500.5)
    metrics.record_batch(lags=[0.2, 0.3], bulk_requests=1)
    metrics.record_batch(lags=[4.0], bulk_requests=1)

    # then the gauge reads its last value, and the counters their sums
    assert metrics.stat(metrics.LAST_CLAIM_AT) == 2_500.5
    assert metrics.stat(metrics.DOCUMENTS_INDEXED) == 3
    assert metrics.stat(metrics.BULK_REQUESTS) == 2
    assert metrics.stat("lag_sum") == pytest.approx(4.5)
