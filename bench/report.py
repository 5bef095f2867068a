"""What every benchmark hands back: one table (figures, target, PASS/MISS) printed and written as JSON with the
machine it ran on, so two runs can be compared."""

from __future__ import annotations

import json
import math
import os
import platform
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"

PASS, MISS, INFO = "PASS", "MISS", "—"


def verdict(ok: bool | None) -> str:
    return INFO if ok is None else PASS if ok else MISS


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (p99 of 200 samples is the 198th smallest): no interpolation flattering it."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def machine() -> dict[str, Any]:
    """CPU, cores, memory, Python, and how busy the machine was (other people's work makes figures noisy)."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb: float | None = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "python": sys.version.split()[0],
        "os": platform.platform(),
        "load_average": [round(value, 2) for value in os.getloadavg()],
    }


def describe_machine(info: dict[str, Any]) -> str:
    load = ", ".join(f"{value:.1f}" for value in info["load_average"])
    return (
        f"{info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB RAM, Python {info['python']} "
        f"(load average {load})"
    )


@dataclass
class Report:
    """One benchmark's table. Each row maps column names to figures; `target` and `result` close every row."""

    name: str
    title: str
    columns: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    elapsed_seconds: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)

    def add(self, target: str = "", ok: bool | None = None, **values: Any) -> None:
        self.rows.append({**values, "target": target, "result": verdict(ok)})

    @property
    def missed(self) -> list[dict[str, Any]]:
        return [row for row in self.rows if row["result"] == MISS]

    def table(self) -> str:
        columns = [*self.columns, "target", "result"]
        cells = [[_cell(row.get(column, "")) for column in columns] for row in self.rows]
        widths = [max(len(column), *(len(line[i]) for line in cells)) for i, column in enumerate(columns)]
        rule = "  ".join("-" * width for width in widths)
        lines = [self.title, rule, "  ".join(column.ljust(w) for column, w in zip(columns, widths, strict=True)), rule]
        for line in cells:
            lines.append("  ".join(_align(value, w) for value, w in zip(line, widths, strict=True)))
        lines.append(rule)
        lines.extend(f"note: {note}" for note in self.notes)
        return "\n".join(lines)

    def markdown(self) -> str:
        columns = [*self.columns, "target", "result"]
        lines = [f"| {' | '.join(columns)} |", f"|{'|'.join('---' for _ in columns)}|"]
        for row in self.rows:
            lines.append(f"| {' | '.join(_cell(row.get(column, '')) for column in columns)} |")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "benchmark": self.name,
            "title": self.title,
            "date": self.started.isoformat(timespec="seconds"),
            "elapsed_seconds": round(self.elapsed_seconds, 1),
            "machine": machine(),
            "columns": [*self.columns, "target", "result"],
            "rows": self.rows,
            "notes": self.notes,
            "details": self.details,
        }

    def write(self, directory: Path = RESULTS_DIR) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{self.name}.json"
        path.write_text(json.dumps(self.to_json(), indent=2, default=str) + "\n")
        return path


def _cell(value: Any) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _align(value: str, width: int) -> str:
    numeric = value.replace(",", "").replace(".", "").replace("%", "").replace("x", "").lstrip("-").isdigit()
    return value.rjust(width) if numeric else value.ljust(width)
