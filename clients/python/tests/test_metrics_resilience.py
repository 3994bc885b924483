"""Metric delivery through real failures: a stopped service, lost answers, 503s, a full spool.

The tracker talks to the stack through FlakyProxy, which is really stopped
(connections refused) and restarted on the same port; every assertion about
duplicates reads the metric history back from the service.
"""

from __future__ import annotations

import logging
import threading
import time

import pytest

from support import ProxyPlan

from stratus import ExperimentTracker, RetryPolicy, StratusConnectionError, StratusError

FAST_RETRY = RetryPolicy(max_attempts=3, base_delay=0.05, max_delay=0.5)


def make_tracker(url: str, token: str, **options) -> ExperimentTracker:
    options.setdefault("flush_interval", 0.1)
    return ExperimentTracker(url, token, retry=FAST_RETRY, timeout=5, **options)


def steps_of(tracker: ExperimentTracker, run_id: str, key: str) -> list:
    return [point.step for point in tracker.get_metric_history(run_id, key)]


def test_outage_loses_nothing_and_duplicates_nothing(stack, proxy, experiment_name, caplog) -> None:
    tracker = make_tracker(proxy.url, stack.token, batch_size=500)
    run = tracker.start_run(experiment_name)
    tracker.log_metrics({"loss": 1.0}, step=0)
    assert tracker.flush(timeout=10)

    # Which threads talk to the service about metrics: never the training loop's.
    metric_callers = set()
    request = tracker.transport.request

    def recording_request(method, path, **kwargs):
        if path.endswith("/metrics"):
            metric_callers.add(threading.current_thread().name)
        return request(method, path, **kwargs)

    tracker.transport.request = recording_request
    proxy.stop()  # the service is gone: connections are refused
    with caplog.at_level(logging.WARNING, logger="stratus"):
        for step in range(1, 2500):
            tracker.log_metrics({"loss": 1.0 / step}, step=step)
        assert tracker.flush(timeout=1) is False  # nothing can be acknowledged now, and nothing raised
    assert metric_callers and threading.current_thread().name not in metric_callers, "log_metrics must not wait for the network"
    assert tracker.metric_stats()["unsent"] == 2499
    assert tracker.metric_stats()["retries"] > 0
    assert any("will retry" in record.message for record in caplog.records)

    proxy.start()  # the service is back on the same address
    assert tracker.flush(timeout=30)
    tracker.end_run()
    reader = ExperimentTracker(stack.url, stack.token)
    assert steps_of(reader, run.run_id, "loss") == list(range(2500))
    assert reader.get_run(run.run_id).status == "FINISHED"
    stats = tracker.metric_stats(run.run_id)
    assert stats["dropped"] == 0 and stats["rejected"] == 0


def test_a_lost_answer_is_retried_with_the_same_idempotency_key(stack, proxy, experiment_name) -> None:
    tracker = make_tracker(proxy.url, stack.token)
    run = tracker.start_run(experiment_name)
    # The first batch reaches the service, its answer never comes back.
    proxy.plan = ProxyPlan(path_contains="/metrics", lose_answer=1)
    for step in range(10):
        tracker.log_metrics({"acc": step / 10, "loss": 1 - step / 10}, step=step)
    assert tracker.flush(timeout=30)
    keys = proxy.plan.idempotency_keys
    assert len(keys) >= 2 and keys[0] and keys[0] == keys[1]
    assert len(keys[0]) <= 128
    tracker.end_run()
    assert steps_of(tracker, run.run_id, "acc") == list(range(10))
    assert steps_of(tracker, run.run_id, "loss") == list(range(10))


def test_a_run_create_whose_answer_was_lost_answers_the_same_run(stack, proxy, experiment_name) -> None:
    tracker = make_tracker(proxy.url, stack.token, strict=True)
    # The create reaches the service and is stored; its answer never comes back.
    proxy.plan = ProxyPlan(path_contains="/api/v1/runs", lose_answer=1)
    run = tracker.start_run(experiment_name, run_name="once", params={"lr": 0.1}, metrics={"loss": 1.0}, step=0)
    tracker.end_run()
    assert proxy.plan.seen[:2] == ["POST /api/v1/runs", "POST /api/v1/runs"]
    runs = ExperimentTracker(stack.url, stack.token).list_runs(experiment_name)
    assert [each.run_id for each in runs] == [run.run_id]
    assert tracker.get_run(run.run_id).params == {"lr": "0.1"}
    assert steps_of(tracker, run.run_id, "loss") == [0]


def test_busy_answers_are_retried_after_retry_after(stack, proxy, experiment_name, monkeypatch) -> None:
    tracker = make_tracker(proxy.url, stack.token)
    run = tracker.start_run(experiment_name)
    proxy.plan = ProxyPlan(path_contains="/metrics", busy=2)
    # The pauses the metric sender takes, recorded rather than timed.
    pauses = []
    sleep = time.sleep

    def recording_sleep(seconds):
        if threading.current_thread().name.startswith("stratus-metrics-"):
            pauses.append(seconds)
        sleep(seconds)

    monkeypatch.setattr(time, "sleep", recording_sleep)
    tracker.log_metrics({"acc": 0.5}, step=1)
    assert tracker.flush(timeout=30)
    # Two 503s each asked for a one-second pause; the test's backoff alone would be far shorter.
    assert len(pauses) == 2 and all(pause >= 1 for pause in pauses)
    assert tracker.metric_stats()["retries"] == 2
    tracker.end_run()
    assert steps_of(tracker, run.run_id, "acc") == [1]


def test_a_full_spool_drops_new_points_and_counts_them(stack, proxy, experiment_name, caplog) -> None:
    tracker = make_tracker(proxy.url, stack.token, batch_size=100, max_spool=300)
    run = tracker.start_run(experiment_name)
    proxy.stop()
    with caplog.at_level(logging.WARNING, logger="stratus"):
        for step in range(500):
            tracker.log_metrics({"x": step}, step=step)
    assert tracker.metric_stats()["dropped"] == 200
    assert any("spool full" in record.message for record in caplog.records)
    proxy.start()
    assert tracker.flush(timeout=30)
    tracker.end_run()
    assert steps_of(tracker, run.run_id, "x") == list(range(300))


def test_end_run_during_an_outage_does_not_crash_the_job(stack, proxy, experiment_name) -> None:
    tracker = make_tracker(proxy.url, stack.token, flush_timeout=1)
    run = tracker.start_run(experiment_name)
    proxy.stop()
    tracker.log_metrics({"x": 1.0})
    tracker.log_params({"lr": 0.1})
    tracker.set_tags({"note": "offline"})
    tracker.end_run()  # gives up after flush_timeout, warns, returns
    assert tracker.active_run is None
    assert ExperimentTracker(stack.url, stack.token).get_run(run.run_id).status == "RUNNING"


def test_start_run_during_an_outage_gives_an_offline_run(stack, proxy, experiment_name) -> None:
    proxy.stop()
    tracker = make_tracker(proxy.url, stack.token)
    run = tracker.start_run(experiment_name)
    assert run.offline and run.status == "OFFLINE"
    tracker.log_params({"lr": 0.1})
    tracker.log_metrics({"x": 1.0})
    tracker.end_run()


def test_strict_mode_raises_on_outage(stack, proxy, experiment_name) -> None:
    tracker = make_tracker(proxy.url, stack.token, strict=True, batch_size=10, max_spool=20)
    tracker.start_run(experiment_name)
    proxy.stop()
    tracker.log_metrics({f"m{i}": i for i in range(20)})
    with pytest.raises(StratusError) as full:
        tracker.log_metrics({"one_more": 1})
    assert full.value.code == "spool.full"
    with pytest.raises(StratusError) as timeout:
        tracker.flush(timeout=0.5)
    assert timeout.value.code == "flush.timeout"
    with pytest.raises(StratusConnectionError):
        make_tracker(proxy.url, stack.token, strict=True).start_run(experiment_name)
    proxy.start()
    assert tracker.flush(timeout=30)


def test_rejected_points_raise_in_strict_mode_only(stack, experiment_name) -> None:
    lenient = make_tracker(stack.url, stack.token)
    run = lenient.start_run(experiment_name)
    lenient.end_run()
    lenient.log_metrics({"late": 1.0}, run_id=run.run_id)  # the run has ended: the API answers 409
    assert lenient.flush(timeout=10)
    assert lenient.metric_stats(run.run_id)["rejected"] == 1

    strict = make_tracker(stack.url, stack.token, strict=True)
    strict.log_metrics({"late": 1.0}, run_id=run.run_id)
    with pytest.raises(StratusError) as rejected:
        strict.flush(timeout=10)
    assert rejected.value.status == 409
