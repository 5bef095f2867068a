"""Counts that add up across processes, in one flat format for the channel and the Redis hash."""

from __future__ import annotations

import json

import pytest

from zapdesk.metrics.tally import INGEST_BUCKETS, Counter, Tally


def test_observations_land_in_the_first_bucket_whose_bound_holds_them_and_cumulate_for_prometheus() -> None:
    tally = Tally()
    for seconds in (0.001, 0.005, 0.02, 3.0, 60.0):
        tally.observe_ingest(seconds)

    buckets = dict(tally.cumulative_buckets())
    assert buckets["0.005"] == 2  # bounds are inclusive
    assert buckets["0.025"] == 3
    assert buckets["2.5"] == 3 and buckets["5"] == 4
    assert buckets["+Inf"] == 5 == tally.ingest_count
    assert tally.ingest_sum == pytest.approx(63.026)
    assert len(buckets) == len(INGEST_BUCKETS) + 1


def test_tallies_survive_the_trip_through_json_fields_and_add_up() -> None:
    worker_one, worker_two = Tally(), Tally()
    worker_one.count(Counter.MESSAGES_RECEIVED, 3)
    worker_one.observe_ingest(0.02)
    worker_two.count(Counter.MESSAGES_RECEIVED)
    worker_two.count(Counter.SEND_FAILURES, 2)
    worker_two.observe_ingest(0.3)

    total = Tally()
    for tally in (worker_one, worker_two):
        total.merge(Tally.from_fields(json.loads(json.dumps(tally.to_fields()))))

    assert total.counters == {Counter.MESSAGES_RECEIVED: 4, Counter.SEND_FAILURES: 2}
    assert total.ingest_count == 2 and total.ingest_sum == pytest.approx(0.32)


def test_fields_read_from_redis_bytes_and_unknown_names_from_other_versions_are_skipped() -> None:
    fields = {
        b"counter:messages_sent": b"7",
        b"counter:something_new": b"5",
        b"ingest:bucket:0": b"2",
        b"ingest:bucket:99": b"1",
        b"ingest:sum": b"0.004",
    }

    tally = Tally.from_fields(fields)

    assert tally.counters == {Counter.MESSAGES_SENT: 7}
    assert tally.ingest_count == 2 and tally.ingest_sum == 0.004


def test_an_empty_tally_has_no_fields_to_ship() -> None:
    assert Tally().is_empty()
    assert Tally().to_fields() == {}
