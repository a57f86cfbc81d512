"""The first percentile of a process imports nothing more: numpy's lazy imports (16 ms of
numpy.ma here) are paid when robot_brain.core.timing.stats is imported, not in a node's first 1 Hz
report, where they once delayed a 100 Hz tick past the watchdog's deadline."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
from robot_brain.core.timing.stats import RollingWindow
w = RollingWindow(8)
for v in (1.0, 2.0, 3.0):
    w.add(v)
before = set(sys.modules)
assert w.percentile(99.0) > 2.9
print(sorted(set(sys.modules) - before))
"""


def test_first_percentile_imports_nothing() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip() == "[]", f"first percentile imported: {out.stdout.strip()}"
