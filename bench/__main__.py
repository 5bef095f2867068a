"""`python -m bench [name ...]`: run the benchmarks (all but the on-demand ones, or
the ones named), print each table, write JSON to bench/results/ and a Markdown summary for the README's performance
section."""

from __future__ import annotations

import argparse
import importlib
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.report import RESULTS_DIR, Report, describe_machine, machine
from zapdesk.kit import event_loop

# name → module; each module has `async def run(workdir: Path) -> Report`. Cheapest first.
BENCHMARKS = {
    "voice": "bench.voice",
    "ingest": "bench.ingest",
    "media": "bench.media",
    "latency": "bench.latency",
    "api": "bench.api_latency",
    "search": "bench.search",
    "search_indexes": "bench.search_indexes",
    "memory": "bench.memory",
    "outbound": "bench.outbound",
    "timers": "bench.timers",
    "ingest_menu": "bench.ingest_menu",
    "engine": "bench.engine",
    "profile": "bench.profile",
    "numbers": "bench.numbers",
    "cloud": "bench.cloud",
    "webhooks": "bench.webhooks",
    "reports": "bench.reports",
}

# A comparison that chose PostgreSQL's word index (trigram) and has no target: it runs only when named.
ON_DEMAND = {"search_indexes"}


async def run_one(name: str, workdir: Path) -> Report:
    module = importlib.import_module(BENCHMARKS[name])
    started = time.perf_counter()
    report: Report = await module.run(workdir / name)
    report.elapsed_seconds = time.perf_counter() - started
    print(report.table(), flush=True)
    print(f"({name}: {report.elapsed_seconds:.0f} s; JSON in {report.write()})\n", flush=True)
    return report


def summary(reports: list[Report], total_seconds: float) -> str:
    info = machine()
    day = time.strftime("%Y-%m-%d")
    lines = [f"Measured {day} on {describe_machine(info)}; the benchmarks took {total_seconds:.0f} s."]
    for report in reports:
        lines += ["", f"**{report.title}**", "", report.markdown()]
        lines += ["", *(f"- {note}" for note in report.notes)] if report.notes else []
    return "\n".join(lines) + "\n"


async def main(names: list[str], keep: bool) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="zapdesk-bench-"))
    print(f"machine: {describe_machine(machine())}\nwork directory: {workdir}\n", flush=True)
    started = time.perf_counter()
    reports: list[Report] = []
    failed: list[str] = []
    for name in names:
        try:
            reports.append(await run_one(name, workdir))
        except Exception as exc:
            failed.append(name)
            print(f"benchmark {name} failed: {exc!r} (logs under {workdir / name})\n", file=sys.stderr, flush=True)
    total = time.perf_counter() - started
    if reports:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        path = RESULTS_DIR / "summary.md"
        path.write_text(summary(reports, total))
        print(f"summary for the README in {path}")
    print(f"total: {total:.0f} s")
    if not failed and not keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"any of: {', '.join(BENCHMARKS)} (default: all but {', '.join(sorted(ON_DEMAND))})",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, databases)")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    return args


if __name__ == "__main__":
    args = parse(sys.argv[1:])
    everything = [name for name in BENCHMARKS if name not in ON_DEMAND]
    # On the event loop zapdesk's processes run on: the engine benchmark runs a worker's ingest in this process.
    sys.exit(event_loop.run(main(args.names or everything, args.keep)))
