"""Starting a helper process with `spawn` from a node script.

Spawn re-imports the parent's __main__ in the child: for a node started from its console
script (a wrapper without a main guard: `sys.exit(main())`) that would start the node again
inside the helper. A helper that needs nothing from __main__ is shown a bare module while its
process object is prepared. (The LLM worker does the same, robot_brain.core.llm.worker.)
"""

from __future__ import annotations

import contextlib
import sys
import types
from typing import Iterator


@contextlib.contextmanager
def main_module_hidden() -> Iterator[None]:
    real = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = real
