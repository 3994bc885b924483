"""System metrics (``start_run(log_system_metrics=True)``): CPU, memory, disk, network and GPUs.

A daemon thread takes a sample every ``interval`` seconds (10 by default) and
hands the points to the run's metric batcher, the same background sender as
``log_metrics``: the training thread never waits for a sample or a request.
Names and units follow MLflow's system metrics, so dashboards carry over:

- ``system/cpu_utilization_percentage``
- ``system/system_memory_usage_megabytes``, ``system/system_memory_usage_percentage``
- ``system/disk_usage_megabytes``, ``system/disk_available_megabytes``, ``system/disk_usage_percentage``
- ``system/network_receive_megabytes``, ``system/network_transmit_megabytes`` (since the run started)
- per GPU *i*, where NVML is present: ``system/gpu_<i>_utilization_percentage``,
  ``system/gpu_<i>_memory_usage_megabytes``, ``system/gpu_<i>_memory_usage_percentage``

Megabytes are 10^6 bytes, as in MLflow. The standard library reads Linux's
``/proc``; with psutil installed (the ``[system]`` extra) the same metrics come
from psutil on any platform. GPUs are read through NVML: the ``pynvml`` module
(``nvidia-ml-py``, also in the extra) when importable, else ``libnvidia-ml.so.1``
through ctypes; without either there are no GPU metrics. The step of each
sample is its number, from 0.
"""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

from ._wire import now_ms

log = logging.getLogger("stratus")

MB = 1_000_000
AddPoints = Callable[[List[Dict[str, Any]]], None]


def _cpu_times() -> Optional[Tuple[float, float]]:
    """(busy, total) jiffies of all CPUs, from /proc/stat."""
    try:
        with open("/proc/stat") as handle:
            fields = [float(value) for value in handle.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0.0)  # idle + iowait
    total = sum(fields[:8])  # without guest time, which user time already counts
    return total - idle, total


def _memory() -> Optional[Tuple[float, float]]:
    """(used, total) bytes from /proc/meminfo; used = total - available."""
    try:
        values = {}
        with open("/proc/meminfo") as handle:
            for line in handle:
                name, _, rest = line.partition(":")
                values[name] = float(rest.split()[0]) * 1024
        return values["MemTotal"] - values["MemAvailable"], values["MemTotal"]
    except (OSError, KeyError, ValueError, IndexError):
        return None


def _network() -> Optional[Tuple[float, float]]:
    """(received, transmitted) bytes of every interface but loopback, from /proc/net/dev."""
    try:
        received = transmitted = 0.0
        with open("/proc/net/dev") as handle:
            for line in handle.readlines()[2:]:
                name, _, counters = line.partition(":")
                if name.strip() == "lo":
                    continue
                fields = counters.split()
                received += float(fields[0])
                transmitted += float(fields[8])
        return received, transmitted
    except (OSError, ValueError, IndexError):
        return None


class _Nvml:
    """The few NVML calls we need, from pynvml or straight from the shared library."""

    def __init__(self) -> None:
        self.module: Any = None
        self.library: Any = None
        try:
            import pynvml  # type: ignore[import-not-found]

            pynvml.nvmlInit()
            self.module = pynvml
            return
        except Exception:
            pass
        try:
            library = ctypes.CDLL("libnvidia-ml.so.1")
            if library.nvmlInit_v2() == 0:
                self.library = library
        except (OSError, AttributeError):
            pass

    @property
    def present(self) -> bool:
        return self.module is not None or self.library is not None

    def read(self) -> List[Tuple[float, float, float]]:
        """(utilisation %, memory used bytes, memory total bytes) of each GPU."""
        if self.module is not None:
            nvml = self.module
            found = []
            for index in range(nvml.nvmlDeviceGetCount()):
                handle = nvml.nvmlDeviceGetHandleByIndex(index)
                rates = nvml.nvmlDeviceGetUtilizationRates(handle)
                memory = nvml.nvmlDeviceGetMemoryInfo(handle)
                found.append((float(rates.gpu), float(memory.used), float(memory.total)))
            return found
        return self._read_library()

    def _read_library(self) -> List[Tuple[float, float, float]]:  # pragma: no cover - needs an NVIDIA driver
        class Utilization(ctypes.Structure):
            _fields_ = [("gpu", ctypes.c_uint), ("memory", ctypes.c_uint)]

        class Memory(ctypes.Structure):
            _fields_ = [("total", ctypes.c_ulonglong), ("free", ctypes.c_ulonglong), ("used", ctypes.c_ulonglong)]

        count = ctypes.c_uint()
        if self.library.nvmlDeviceGetCount_v2(ctypes.byref(count)) != 0:
            return []
        found = []
        for index in range(count.value):
            handle = ctypes.c_void_p()
            if self.library.nvmlDeviceGetHandleByIndex_v2(index, ctypes.byref(handle)) != 0:
                continue
            rates, memory = Utilization(), Memory()
            self.library.nvmlDeviceGetUtilizationRates(handle, ctypes.byref(rates))
            self.library.nvmlDeviceGetMemoryInfo(handle, ctypes.byref(memory))
            found.append((float(rates.gpu), float(memory.used), float(memory.total)))
        return found


class SystemSampler:
    """Reads the machine's counters; each call of :meth:`sample` gives one set of metric values."""

    def __init__(self, disk_path: str = os.sep, nvml: Optional[Any] = None) -> None:
        self.disk_path = disk_path
        try:
            import psutil  # type: ignore[import-not-found]

            self.psutil: Any = psutil
            psutil.cpu_percent(None)  # the first call only sets the baseline
        except ImportError:
            self.psutil = None
        self.nvml = nvml if nvml is not None else _Nvml()
        self._cpu = _cpu_times()
        self._network_start = self._network()

    def _network(self) -> Optional[Tuple[float, float]]:
        if self.psutil is not None:
            counters = self.psutil.net_io_counters()
            return float(counters.bytes_recv), float(counters.bytes_sent)
        return _network()

    def sample(self) -> Dict[str, float]:
        values: Dict[str, float] = {}
        if self.psutil is not None:
            values["system/cpu_utilization_percentage"] = float(self.psutil.cpu_percent(None))
            memory = self.psutil.virtual_memory()
            used, total = float(memory.total - memory.available), float(memory.total)
        else:
            now = _cpu_times()
            if now is not None and self._cpu is not None and now[1] > self._cpu[1]:
                values["system/cpu_utilization_percentage"] = 100.0 * (now[0] - self._cpu[0]) / (now[1] - self._cpu[1])
            self._cpu = now
            used, total = _memory() or (0.0, 0.0)
        if total:
            values["system/system_memory_usage_megabytes"] = used / MB
            values["system/system_memory_usage_percentage"] = 100.0 * used / total
        try:
            disk = shutil.disk_usage(self.disk_path)
            values["system/disk_usage_megabytes"] = disk.used / MB
            values["system/disk_available_megabytes"] = disk.free / MB
            values["system/disk_usage_percentage"] = 100.0 * disk.used / disk.total
        except OSError:
            pass
        network = self._network()
        if network is not None and self._network_start is not None:
            values["system/network_receive_megabytes"] = (network[0] - self._network_start[0]) / MB
            values["system/network_transmit_megabytes"] = (network[1] - self._network_start[1]) / MB
        if self.nvml.present:
            try:
                for index, (utilisation, used_bytes, total_bytes) in enumerate(self.nvml.read()):
                    values[f"system/gpu_{index}_utilization_percentage"] = utilisation
                    values[f"system/gpu_{index}_memory_usage_megabytes"] = used_bytes / MB
                    if total_bytes:
                        values[f"system/gpu_{index}_memory_usage_percentage"] = 100.0 * used_bytes / total_bytes
            except Exception as error:  # a driver hiccup must not stop the other metrics
                log.debug("stratus: reading GPUs failed: %s", error)
        return values


class SystemMetricsSampler:
    """The daemon thread: a sample every `interval` seconds, handed to `add_points` (the run's batcher)."""

    def __init__(self, add_points: AddPoints, *, interval: float = 10.0, name: str = "stratus-system") -> None:
        self._add_points = add_points
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.samples = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        try:
            sampler = SystemSampler()
        except Exception as error:  # pragma: no cover - never take training down for a metric
            log.warning("stratus: system metrics are off: %s", error)
            return
        while not self._stop.wait(self.interval):
            started = time.monotonic()
            try:
                values = sampler.sample()
                at = now_ms()
                points = [{"key": key, "value": value, "timestamp": at, "step": self.samples} for key, value in values.items()]
                if points:
                    self._add_points(points)
                self.samples += 1
            except RuntimeError:
                return  # the run's sender closed: the run ended
            except Exception as error:
                log.warning("stratus: a system metrics sample failed: %s", error)
            log.debug("stratus: system metrics sample took %.3f s", time.monotonic() - started)
