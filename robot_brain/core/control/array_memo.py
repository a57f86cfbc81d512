"""Results computed from the last read-only array seen, so a fixed-rate loop pays once per
input message for work that depends only on that message.

The controller ticks at 100 Hz but its sectors change at the scan rate (10 Hz): the policy's
sector features and the safety filter's free distances would otherwise be recomputed, with
~20 small numpy calls, ten times per message (~0.2 ms a tick, BENCHMARKS.md).

Keyed by identity, which is only sound for an array that cannot change under the same
identity: one that owns its data and is not writeable. Any other array is never memoized, its
result is computed every call. The memo keeps a reference to the array, so its id cannot be
reused while it is the key.
"""

from __future__ import annotations

from typing import Callable, Generic, Hashable, TypeVar

import numpy as np

T = TypeVar("T")


def frozen_copy(array: np.ndarray) -> np.ndarray:
    """`array` as an owned, read-only array (copied unless it already is one)."""
    out = array if array.flags.owndata else array.copy()
    out.setflags(write=False)
    return out


def is_frozen(array: object) -> bool:
    """True for an ndarray that owns its data and is read-only (anything else: False)."""
    return (isinstance(array, np.ndarray) and bool(array.flags.owndata)
            and not array.flags.writeable)


class ArrayMemo(Generic[T]):
    """compute() memoized per `key` for the last frozen array passed to `get`."""

    def __init__(self) -> None:
        self._array: np.ndarray | None = None
        self._results: dict[Hashable, T] = {}
        self.hits = 0

    def get(self, array: object, key: Hashable, compute: Callable[[], T]) -> T:
        """compute(), or its result for the same frozen `array` and `key` (anything that is not
        a frozen array, a list say, is computed every call)."""
        if not is_frozen(array):
            return compute()
        assert isinstance(array, np.ndarray)
        if array is not self._array:
            self._array = array
            self._results = {}
        if key in self._results:
            self.hits += 1
            return self._results[key]
        result = self._results[key] = compute()
        return result
