"""Starting a helper process with `spawn` from a node's process (the LLM worker,
robot_brain.core.llm.worker; the route worker, robot_brain.core.navigation.route_jobs).

Spawn re-imports the parent's __main__ in the child: for a node started from its console
script (a wrapper without a main guard: `sys.exit(main())`) that would start the node again
inside the helper, and a script without a guard would spawn again. A helper needs nothing
from __main__, so it is shown a bare module while its process object starts.
"""

from __future__ import annotations

import contextlib
import sys
import types
from typing import Iterator


@contextlib.contextmanager
def main_module_hidden() -> Iterator[None]:
    """Around `Process.start()`: the child sees an empty __main__; the parent's is back after."""
    real = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = real
