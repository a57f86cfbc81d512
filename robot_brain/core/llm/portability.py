"""Which CPU features a built llama.cpp library uses, read off its disassembly.

llama.cpp's default build detects the build machine's CPU ("native"). A library built on a CPU
with AMX or AVX-512 then carries those instructions and dies with SIGILL (`tilezero`, its AMX
path) on the first generation on a CPU without them, and the other way round a cloud VM that
reports AMX crashes a wheel built elsewhere with native detection. robot_brain builds a
portable feature set (`PORTABLE_X86_64`) and checks the result here: the disassembly of
libggml-cpu must hold no instruction of a family outside the chosen set.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum


class IsaFamily(Enum):
    """Instruction families a portable x86-64 build must not contain."""

    AMX = "amx"
    AVX512 = "avx512"


@dataclass(frozen=True)
class FamilyPattern:
    family: IsaFamily
    pattern: re.Pattern[str]
    why: str


# objdump -d (AT&T syntax) lines: "  4f2a:\tc4 e2 7b 49 c0    \ttilezero %tmm0".
_AMX = re.compile(r"\t(tile(zero|loadd|loaddt1|stored|release)|ldtilecfg|sttilecfg"
                  r"|tdpb[su][su]d|tdpbf16ps|tdpfp16ps|tcmmimfp16ps|tcmmrlfp16ps)\b")
# Any instruction touching a 512-bit register or an opmask register is AVX-512.
_AVX512 = re.compile(r"\t\S+\s.*(%zmm\d+|%k[1-7]\b)")

FAMILY_PATTERNS: tuple[FamilyPattern, ...] = (
    FamilyPattern(IsaFamily.AMX, _AMX, "AMX tile instructions (Sapphire Rapids and later)"),
    FamilyPattern(IsaFamily.AVX512, _AVX512, "AVX-512 (zmm or opmask registers)"),
)


def forbidden_instructions(disassembly: Iterable[str],
                           families: Iterable[IsaFamily]) -> Counter[IsaFamily]:
    """Count the disassembly lines that use an instruction of each forbidden family."""
    wanted = [fp for fp in FAMILY_PATTERNS if fp.family in set(families)]
    found: Counter[IsaFamily] = Counter()
    for line in disassembly:
        for fp in wanted:
            if fp.pattern.search(line):
                found[fp.family] += 1
    return found


def describe(found: Counter[IsaFamily]) -> str:
    """One line naming each family found and how often, e.g. 'AMX: 12 instructions'."""
    whys = {fp.family: fp.why for fp in FAMILY_PATTERNS}
    return "; ".join(f"{whys[f]}: {n} instructions" for f, n in sorted(
        found.items(), key=lambda kv: kv[0].value))
