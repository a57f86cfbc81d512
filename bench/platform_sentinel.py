#!/usr/bin/env python3
"""Platform sentinel: did this CPU itself go missing? (a cyclictest-like probe, in Python)

    .venv/bin/python bench/platform_sentinel.py --cpu 0 --out /tmp/s0.jsonl --duration 60

Pinned to one CPU at SCHED_FIFO 99 (above every thread of the brain), it sleeps `--period-ms`
at a time and records every wake-up later than `--threshold-ms` past its due time, with the
run-queue wait (schedstat) and involuntary switches it had meanwhile. At priority 99 nothing in
the VM can keep it off its CPU for milliseconds: a late wake-up with no run-queue wait means
the CPU did not run at all (a hypervisor that did not schedule the virtual CPU) or had
interrupts off. When a controller tick and the sentinel on the same CPU are late at the same
moment, the miss is the platform's, not the brain's.

Each record is one JSON line: {"cpu", "due_wall", "woke_wall", "late_ms", "run_queue_ms",
"involuntary"}. Costs one short Python wake-up per period (~1-2 % of a CPU at 2 ms).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from robot_brain.core.timing.thread_usage import ThreadUsage  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cpu", type=int, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--period-ms", type=float, default=2.0)
    ap.add_argument("--threshold-ms", type=float, default=3.0)
    ap.add_argument("--priority", type=int, default=99)
    ap.add_argument("--duration", type=float, default=0.0, help="seconds; 0 = until SIGTERM")
    args = ap.parse_args(argv)
    os.sched_setaffinity(0, {args.cpu})
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(args.priority))
        policy = f"SCHED_FIFO {args.priority}"
    except OSError as exc:
        policy = f"SCHED_OTHER (SCHED_FIFO refused: {exc})"
    stop = False

    def on_term(signum: int, frame: object) -> None:
        nonlocal stop
        stop = True
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    period = args.period_ms * 1e-3
    threshold = args.threshold_ms * 1e-3
    end = time.monotonic() + args.duration if args.duration > 0 else float("inf")
    wakeups = late = 0
    worst = 0.0
    with args.out.open("w") as out:
        out.write(json.dumps({"cpu": args.cpu, "policy": policy, "period_ms": args.period_ms,
                              "threshold_ms": args.threshold_ms}) + "\n")
        out.flush()
        usage = ThreadUsage.sample()
        due = time.monotonic() + period
        while not stop and due < end:
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            woke = time.monotonic()
            wall = time.time()
            wakeups += 1
            lateness = woke - due
            worst = max(worst, lateness)
            if lateness > threshold:
                now_usage = ThreadUsage.sample()
                between = now_usage.since(usage)
                usage = now_usage
                late += 1
                out.write(json.dumps({
                    "cpu": args.cpu, "due_wall": wall - lateness, "woke_wall": wall,
                    "late_ms": round(lateness * 1e3, 3),
                    "run_queue_ms": round(between.run_queue_ns * 1e-6, 3),
                    "involuntary": between.involuntary_switches}) + "\n")
                out.flush()
                due = woke  # one record per stall, not one per missed period
            elif wakeups % 500 == 0:
                usage = ThreadUsage.sample()
            due += period
    ru = resource.getrusage(resource.RUSAGE_SELF)
    print(f"cpu {args.cpu}: {policy}, {wakeups} wake-ups, {late} later than "
          f"{args.threshold_ms:g} ms, worst {worst * 1e3:.1f} ms, CPU "
          f"{ru.ru_utime + ru.ru_stime:.2f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
