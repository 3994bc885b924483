"""System metrics: a daemon thread samples the machine into system/* metrics through the run's batcher."""

from __future__ import annotations

import sys
import threading
import time
from types import SimpleNamespace

from stratus import ExperimentTracker, _system

EXPECTED = {
    "system/cpu_utilization_percentage",
    "system/system_memory_usage_megabytes",
    "system/system_memory_usage_percentage",
    "system/disk_usage_megabytes",
    "system/disk_available_megabytes",
    "system/disk_usage_percentage",
    "system/network_receive_megabytes",
    "system/network_transmit_megabytes",
}


def wait_for_samples(tracker: ExperimentTracker, run_id: str, count: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        sampler = tracker._samplers.get(run_id)
        if sampler is not None and sampler.samples >= count:
            return
        time.sleep(0.05)
    raise AssertionError("the sampler did not take its samples")


def test_log_system_metrics_samples_into_the_run(stack, experiment_name) -> None:
    tracker = ExperimentTracker(stack.url, stack.token, flush_interval=0.2, system_metrics_interval=0.2)
    run = tracker.start_run(experiment_name, log_system_metrics=True)
    thread = next(t for t in threading.enumerate() if t.name == f"stratus-system-{run.run_id[:8]}")
    assert thread.daemon
    tracker.log_metrics({"loss": 0.5}, step=1)  # training's own metrics share the batcher
    wait_for_samples(tracker, run.run_id, 3)
    tracker.end_run()
    assert not thread.is_alive()
    stored = tracker.get_run(run.run_id)
    assert EXPECTED <= set(stored.metrics) and "loss" in stored.metrics
    assert 0 <= stored.metrics["system/cpu_utilization_percentage"] <= 100
    assert 0 < stored.metrics["system/system_memory_usage_percentage"] < 100
    steps = [point.step for point in tracker.get_metric_history(run.run_id, "system/disk_usage_percentage")]
    assert steps[:3] == [0, 1, 2]
    assert tracker.metric_stats(run.run_id)["acknowledged"] >= 3 * len(EXPECTED) + 1
    tracker.close()


def test_the_environment_variable_turns_it_on_for_every_run(stack, experiment_name, monkeypatch) -> None:
    monkeypatch.setenv("STRATUS_LOG_SYSTEM_METRICS", "true")
    tracker = ExperimentTracker(stack.url, stack.token, flush_interval=0.2, system_metrics_interval=0.2)
    run = tracker.start_run(experiment_name)
    wait_for_samples(tracker, run.run_id, 1)
    tracker.end_run()
    assert EXPECTED <= set(tracker.get_run(run.run_id).metrics)
    off = tracker.start_run(experiment_name, log_system_metrics=False)  # an explicit False wins
    assert off.run_id not in tracker._samplers
    tracker.end_run()
    tracker.close()


def test_the_standard_library_reads_proc_without_psutil(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "psutil", None)
    sampler = _system.SystemSampler(nvml=SimpleNamespace(present=False))
    assert sampler.psutil is None
    burn = time.monotonic() + 0.2
    while time.monotonic() < burn:  # some CPU time between the two readings
        pass
    values = sampler.sample()
    assert EXPECTED <= set(values)
    assert 0 <= values["system/cpu_utilization_percentage"] <= 100


class FakeNvml:
    """NVML's answers for two GPUs (no GPU on the test machine): what pynvml returns, shaped the same."""

    def __init__(self) -> None:
        self.present = True
        self.module = SimpleNamespace(
            nvmlDeviceGetCount=lambda: 2,
            nvmlDeviceGetHandleByIndex=lambda index: index,
            nvmlDeviceGetUtilizationRates=lambda handle: SimpleNamespace(gpu=[35, 90][handle], memory=0),
            nvmlDeviceGetMemoryInfo=lambda handle: SimpleNamespace(used=[2e9, 8e9][handle], total=16e9, free=0),
        )
        self.library = None

    read = _system._Nvml.read


def test_each_gpu_is_reported_where_nvml_is_present() -> None:
    values = _system.SystemSampler(nvml=FakeNvml()).sample()
    assert values["system/gpu_0_utilization_percentage"] == 35
    assert values["system/gpu_1_memory_usage_megabytes"] == 8000
    assert values["system/gpu_1_memory_usage_percentage"] == 50
