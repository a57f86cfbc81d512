"""Which backend answers the next instruction, given the power mode: a pure function.

`choose_backend()` sees only its arguments (mode, configuration, per-backend estimates, the time and
when the last request went out), so the same inputs always give the same decision and a test
can state every case. Hysteresis lives where the mode is made (the power monitor); the choice
follows the mode it is given, immediately, and says why in `BackendDecision.reason`, which the
planner publishes as `route_reason` on planner/status.

Per mode the configured choice (parameters backend_normal, backend_eco, backend_critical) is
one of:
  'preferred'      the node's `backend` parameter;
  a backend name   e.g. 'openai' or 'llama_cpp' (the cheaper one for eco);
  'auto'           per request, the available backend with the least expected energy
                   among those expected to answer within `auto_max_latency_s`, else the
                   fastest one. The energy is (device power + `auto_base_load_w`) x expected
                   time: while the robot waits for a plan it still burns its standing draw,
                   which on a humanoid (100-300 W) dwarfs the 5-30 W of the LLM device, so a
                   slow backend is charged for the waiting it causes;
  'dock'           no LLM call at all; the plan becomes `dock`.
"""

from __future__ import annotations

import enum
import math
import statistics
from dataclasses import dataclass
from typing import ClassVar, Mapping, Sequence

from robot_brain.core.config.params import param
from robot_brain.core.errors import ConfigurationError
from robot_brain.core.llm.registry import BACKEND_KINDS, DEFAULT_BACKEND, default_auto_candidates

CHOICE_PREFERRED = "preferred"
CHOICE_AUTO = "auto"
CHOICE_DOCK = "dock"
#: The backend names a choice may name: the registry's kinds (launch/brain.launch.py reads this).
KNOWN_BACKENDS = BACKEND_KINDS
#: What a power mode's backend choice may be.
CHOICES = (CHOICE_PREFERRED, CHOICE_AUTO, CHOICE_DOCK) + KNOWN_BACKENDS


class BackendChoiceError(ConfigurationError):
    """A backend-choice configuration that names a backend or choice that does not exist."""


class Mode(str, enum.Enum):
    NORMAL = "normal"
    ECO = "eco"
    CRITICAL = "critical"

    @classmethod
    def parse(cls, text: str) -> Mode | None:
        try:
            return cls(text.strip().lower())
        except ValueError:
            return None


class ChoiceAction(str, enum.Enum):
    LLM = "llm"        # submit to `backend` now
    DEFER = "defer"    # keep the instruction; ask again after `defer_s`
    DOCK = "dock"      # no LLM; execute the dock plan
    NONE = "none"      # nothing can answer (every backend unavailable)


@dataclass(frozen=True)
class BackendEstimate:
    """What the choice knows about one backend right now."""

    name: str
    locality: str           # 'local' | 'remote'
    power_w: float          # accelerator (local) or modem (remote) draw while it works
    expected_time_s: float  # expected generation time (local) or round trip (remote)
    available: bool = True  # False e.g. for a while after a remote error

    @property
    def energy_j(self) -> float:
        """The LLM device's own energy for one request."""
        return self.power_w * self.expected_time_s

    def cost_j(self, base_load_w: float) -> float:
        """The robot's energy for one request: the device plus the standing draw while waiting."""
        return (self.power_w + base_load_w) * self.expected_time_s


@dataclass(frozen=True)
class BackendChoiceConfig:
    #: Parameters renamed (old -> new): an old name in a params file is refused at start.
    RENAMED_PARAMS: ClassVar[Mapping[str, str]] = {
        "route_normal": "backend_normal", "route_eco": "backend_eco",
        "route_critical": "backend_critical"}

    preferred: str = param(DEFAULT_BACKEND, "Preferred LLM backend.", choices=KNOWN_BACKENDS,
                           name="backend")
    backend_normal: str = param(CHOICE_PREFERRED, "Backend choice in power mode normal.",
                                choices=CHOICES)
    backend_eco: str = param(CHOICE_PREFERRED, "Backend choice in power mode eco (the cheaper "
                             "backend).", choices=CHOICES)
    backend_critical: str = param(CHOICE_DOCK, "Backend choice in power mode critical ('dock' "
                                  "= no LLM).", choices=CHOICES)
    eco_min_interval_s: float = param(30.0, "Minimum time between requests in eco; a newer "
                                      "instruction replaces a deferred one.", unit="s",
                                      min=0.0, max=3600.0)
    #: '' entries are ignored (a string-array parameter needs a non-empty default).
    auto_candidates: tuple[str, ...] = param(default_auto_candidates(),
                                             "Backends the `auto` choice picks from.")
    auto_max_latency_s: float = param(10.0, "`auto` prefers backends expected within this.",
                                      unit="s", min=0.1, max=600.0)
    #: The robot's standing draw charged to `auto` candidates for the time they keep it
    #: waiting; 0 = compare the LLM devices' own energy only.
    auto_base_load_w: float = param(150.0, "The robot's standing draw: `auto` charges each "
                                    "backend this x its expected time, the cost of waiting for "
                                    "a plan.", unit="W", min=0.0, max=100000.0)

    def __post_init__(self) -> None:
        object.__setattr__(self, "auto_candidates",
                           tuple(c for c in self.auto_candidates if c))

    @property
    def by_mode(self) -> Mapping[Mode, str]:
        return {Mode.NORMAL: self.backend_normal, Mode.ECO: self.backend_eco,
                Mode.CRITICAL: self.backend_critical}

    def backends_for(self, mode: Mode) -> tuple[str, ...]:
        """The backends the choice of `mode` can select (without fallbacks); () for dock."""
        target = self.by_mode.get(mode, CHOICE_PREFERRED)
        if target == CHOICE_DOCK:
            return ()
        if target == CHOICE_AUTO:
            return tuple(self.auto_candidates)
        return (self.preferred if target == CHOICE_PREFERRED else target,)

    def backends_needed(self) -> tuple[str, ...]:
        """Every backend some mode's choice can select, preferred first, without duplicates."""
        names = [self.preferred]
        for choice in self.by_mode.values():
            if choice == CHOICE_AUTO:
                names.extend(self.auto_candidates)
            elif choice not in (CHOICE_PREFERRED, CHOICE_DOCK):
                names.append(choice)
        return tuple(dict.fromkeys(names))

    def check(self) -> None:
        """Raise BackendChoiceError for a choice or backend name that does not exist."""
        allowed = set(KNOWN_BACKENDS) | {CHOICE_PREFERRED, CHOICE_AUTO, CHOICE_DOCK}
        if self.preferred not in KNOWN_BACKENDS:
            raise BackendChoiceError(f"preferred backend '{self.preferred}' is not one of "
                                     f"{list(KNOWN_BACKENDS)}")
        for mode, choice in self.by_mode.items():
            if choice not in allowed:
                raise BackendChoiceError(f"backend choice for mode '{mode.value}' is "
                                         f"'{choice}'; expected one of {sorted(allowed)}")
            if choice == CHOICE_AUTO and not self.auto_candidates:
                raise BackendChoiceError(f"backend choice for mode '{mode.value}' is 'auto' "
                                         "but no auto candidates are configured")
        for name in self.auto_candidates:
            if name not in KNOWN_BACKENDS:
                raise BackendChoiceError(f"auto candidate '{name}' is not one of "
                                         f"{list(KNOWN_BACKENDS)}")
        if self.eco_min_interval_s < 0.0:
            raise BackendChoiceError(f"eco_min_interval_s must be >= 0, got "
                                     f"{self.eco_min_interval_s}")
        if not (math.isfinite(self.auto_base_load_w) and self.auto_base_load_w >= 0.0):
            raise BackendChoiceError(f"auto_base_load_w must be finite and >= 0, got "
                                     f"{self.auto_base_load_w}")


@dataclass(frozen=True)
class BackendDecision:
    action: ChoiceAction
    backend: str | None
    reason: str
    defer_s: float = 0.0


def expected_time(samples: Sequence[float], prior_s: float) -> float:
    """Median of the observed times, or the prior before anything was observed."""
    finite = [s for s in samples if s == s and s >= 0.0]
    return float(statistics.median(finite)) if finite else prior_s


def choose_backend(mode: Mode | None, config: BackendChoiceConfig,
                   estimates: Mapping[str, BackendEstimate], now: float,
                   last_request_at: float | None) -> BackendDecision:
    """Decide for one instruction. An unknown mode (nothing heard yet) counts as normal."""
    mode = mode or Mode.NORMAL
    target = config.by_mode.get(mode, CHOICE_PREFERRED)
    label = f"{mode.value}"
    if target == CHOICE_DOCK:
        return BackendDecision(ChoiceAction.DOCK, None,
                             f"{label}: no LLM calls, plan is dock")
    if mode is Mode.ECO and config.eco_min_interval_s > 0.0 and last_request_at is not None:
        since = now - last_request_at
        if since < config.eco_min_interval_s:
            wait = config.eco_min_interval_s - since
            return BackendDecision(ChoiceAction.DEFER, None,
                                 f"{label}: at most one request per {config.eco_min_interval_s:g}"
                                 " s; instruction deferred", defer_s=wait)
    if target == CHOICE_AUTO:
        return _auto(label, config, estimates)
    name = config.preferred if target == CHOICE_PREFERRED else target
    how = f"preferred backend {name}" if target == CHOICE_PREFERRED else f"backend {name}"
    est = estimates.get(name)
    if est is not None and est.available:
        return BackendDecision(ChoiceAction.LLM, name, f"{label}: {how}")
    fallback = _first_available(estimates, exclude=name)
    if fallback is None:
        return BackendDecision(ChoiceAction.NONE, None, f"{label}: {how} unavailable and no other "
                             "backend is available")
    return BackendDecision(ChoiceAction.LLM, fallback.name,
                         f"{label}: {how} unavailable, falling back to {fallback.name}")


def auto_choice(config: BackendChoiceConfig,
                estimates: Mapping[str, BackendEstimate]) -> str | None:
    """The backend `auto` would pick now from `estimates` (None when none is available)."""
    return _auto("auto", config, estimates).backend


def _first_available(estimates: Mapping[str, BackendEstimate],
                     exclude: str) -> BackendEstimate | None:
    for name in sorted(estimates):
        if name != exclude and estimates[name].available:
            return estimates[name]
    return None


def _auto(label: str, config: BackendChoiceConfig,
          estimates: Mapping[str, BackendEstimate]) -> BackendDecision:
    cands = [estimates[n] for n in config.auto_candidates if n in estimates]
    avail = [e for e in cands if e.available]
    if not avail:
        return BackendDecision(ChoiceAction.NONE, None, f"{label}: auto found no available backend")
    base = config.auto_base_load_w
    if base > 0.0:
        table = ", ".join(f"{e.name} ({e.power_w:g} W + {base:g} W base) x "
                          f"{e.expected_time_s:.2f} s = {e.cost_j(base):.1f} J" for e in avail)
    else:
        table = ", ".join(f"{e.name} {e.power_w:g} W x {e.expected_time_s:.2f} s = "
                          f"{e.energy_j:.1f} J" for e in avail)
    in_time = [e for e in avail if e.expected_time_s <= config.auto_max_latency_s]
    if in_time:
        best = min(in_time, key=lambda e: (e.cost_j(base), e.expected_time_s, e.name))
        why = "least energy"
    else:
        best = min(avail, key=lambda e: (e.expected_time_s, e.cost_j(base), e.name))
        why = f"none within {config.auto_max_latency_s:g} s, fastest"
    down = [e.name for e in cands if not e.available]
    extra = f"; unavailable: {', '.join(down)}" if down else ""
    return BackendDecision(ChoiceAction.LLM, best.name,
                         f"{label}: auto {table} -> {best.name} ({why}){extra}")
