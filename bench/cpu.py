"""CPU seconds of a process on this machine, from ``/proc``: the benchmarks' measure least
disturbed by a busy neighbour (it stretches wall times, not the CPU a piece of work costs)."""

from __future__ import annotations

import os
from pathlib import Path


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` so far; OSError when it is gone."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
