"""Timing whole processes: wall time and peak memory of each child, medians, the machine."""

from __future__ import annotations

import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Sample:
    """One run of one process."""

    wall: float
    peak_mb: float
    stdout: str
    cpu: float = 0.0  # user + system seconds of the process itself


@dataclass
class Figure:
    """The runs of one operation: the median wall time and the largest peak memory."""

    runs: list[float] = field(default_factory=list)
    peaks: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)

    def add(self, sample: Sample) -> None:
        """Count one run."""
        self.runs.append(sample.wall)
        self.peaks.append(sample.peak_mb)
        self.cpus.append(sample.cpu)

    @property
    def cpu(self) -> float:
        """The median CPU time in seconds (steadier than wall time on a shared machine)."""
        return statistics.median(self.cpus) if self.cpus else 0.0

    @property
    def wall(self) -> float:
        """The median wall time in seconds."""
        return statistics.median(self.runs)

    @property
    def peak_mb(self) -> float:
        """The largest peak resident memory of any run, in MB."""
        return max(self.peaks)

    def as_dict(self) -> dict[str, Any]:
        """Runs, peaks and the median, for the results file."""
        return asdict(self) | {"wall": self.wall, "peak_mb": self.peak_mb}


class Failed(RuntimeError):
    """A benchmarked process exited with an error."""


def run(cmd: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None, sink: bool = False) -> Sample:
    """Run one process to completion; its own peak memory comes from wait4, not from a wrapper.

    ``sink`` sends its output to /dev/null (for scans that print millions of rows).
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL if sink else out, stderr=err, env=env, cwd=cwd)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        if proc.returncode != 0:
            detail = err.read().decode("utf-8", "replace")[-2000:] or stdout[-2000:]
            raise Failed(f"{' '.join(cmd)} exited {proc.returncode}: {detail}")
    # Linux reports ru_maxrss in kilobytes.
    return Sample(wall, usage.ru_maxrss / 1024, stdout, usage.ru_utime + usage.ru_stime)


def repeat(cmd: list[str], runs: int, *, warm: bool = False, **kwargs: Any) -> Figure:
    """Run a process ``runs`` times (after one uncounted warm-up run when ``warm``)."""
    if warm:
        run(cmd, **kwargs)
    figure = Figure()
    for _ in range(runs):
        figure.add(run(cmd, **kwargs))
    return figure


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    shell = shutil.which("sqlite3")
    version = subprocess.run([shell, "--version"], capture_output=True, text=True, check=False) if shell else None
    return {
        "cpus": str(os.cpu_count()),
        "cpu": _cpu_model(),
        "memory": _memory(),
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "sqlite (Python)": sqlite3.sqlite_version,
        "sqlite3 CLI": version.stdout.split()[0] if version and version.stdout else "absent",
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
    except OSError:
        pass
    return "unknown"
