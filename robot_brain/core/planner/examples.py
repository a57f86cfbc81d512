"""Few-shot examples for the planner prompt, and choosing the ones closest to an instruction.

A 270M base model plans by analogy: it copies the structure of the example that looks most
like the instruction, and, failing that, the most recent one. A fixed list therefore decides
the answer by its order (measured: with the navigation examples last, "Stop moving right now."
became a navigate_to). So the prompt carries a few fixed examples that show every skill, then
the pool examples most similar to the instruction, the closest one last.

The pool is built from the world's own places, so it never names a place the world lacks,
and none of its instructions is one of the scored set (robot_brain_lab/data/instructions.yaml;
a unit test checks this). Similarity is character trigrams weighted by rarity in the pool:
cheap, deterministic, and tolerant of inflection ("charge"/"charging") and of scripts without
spaces.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from robot_brain.core.planner.skills import DOCK_PLACE
from robot_brain.core.world import World

#: Retrieved examples per prompt. More costs prompt evaluation on every request (these come
#: after the cached fixed part); fewer leaves the closest example alone against the fixed ones.
DEFAULT_RETRIEVED = 4
_WORD = re.compile(r"\w+", re.UNICODE)
#: Words that say nothing about which skill is meant; ignored by the similarity. Sequencing
#: words ("then", "and", "first") are kept: they are what marks a multi-step instruction.
_STOPWORDS = frozenset(
    "the a an to of please you your me my i it is are be at in on for now can could would will "
    "go get there here this".split())
#: Names of places a home might have, used for "no such place" refusals.
_ABSENT_CANDIDATES = ("bathroom", "garden", "attic", "cellar", "balcony", "office")

_REFUSE = "I cannot do that safely."
#: Words that announce more than one step, in the languages the instruction set uses. A
#: multi-step example is only retrieved for an instruction with one of these (or naming two
#: places): shown a two-step neighbour, the model adds a second step to "Say thank you.".
_SEQUENCE_WORDS = frozenset(
    "then and after afterwards first finally before while return back "
    "dann und danach zuerst puis et ensuite luego después y poi dopo".split())


@dataclass(frozen=True)
class Example:
    instruction: str
    plan: dict[str, Any]


def _human(name: str) -> str:
    return name.replace("_", " ")


def _nav(place: str) -> dict[str, Any]:
    return {"skill": "navigate_to", "place": place}


def _say(text: str) -> dict[str, Any]:
    return {"skill": "say", "text": text}


def _plan(*steps: dict[str, Any]) -> dict[str, Any]:
    return {"steps": list(steps)}


#: Coordinate examples are taken from these, in order, where the world leaves room.
_POINT_CANDIDATES = ((1.5, -1.0), (-2.0, 3.0), (1.5, -2.5), (-2.0, -3.0), (0.5, 1.0),
                     (-0.5, -2.0), (2.5, -1.5), (0.0, 1.5), (1.0, 0.5), (0.5, -0.5))
_POINT_CLEARANCE_M = 0.5


def _free_points(world: World, n: int) -> list[tuple[float, float]]:
    """Up to n candidate points inside the map and clear of obstacles: an example must be a
    plan the validator accepts."""
    b = world.bounds
    return [(x, y) for x, y in _POINT_CANDIDATES
            if b.x_min < x < b.x_max and b.y_min < y < b.y_max
            and world.clearance(x, y) >= _POINT_CLEARANCE_M][:n]


def _targets(world: World) -> list[str]:
    return [n for n in sorted(world.places) if n != DOCK_PLACE]


def fixed_examples(world: World) -> tuple[Example, ...]:
    """Shown in every prompt, first (so they sit in the cached prompt prefix)."""
    out = [
        Example("Fly up to the ceiling at full speed.", _plan(_say(_REFUSE))),
        Example("Stop!", _plan({"skill": "stop"})),
        Example("Wait 8 seconds.", _plan({"skill": "wait", "seconds": 8})),
    ]
    if DOCK_PLACE in world.places:
        out.append(Example("The battery is weak, recharge at the dock.",
                           _plan({"skill": "dock"})))
    targets = _targets(world)
    if targets:
        out.append(Example(f"Walk over to the {_human(targets[0])}.", _plan(_nav(targets[0]))))
    return tuple(out)


_NAV_VERBS = ("Please head to the {} now.", "Can you move to the {}?", "Get yourself to the {}.",
              "Navigate to the {}, thanks.", "I need you at the {}.", "Head for the {}.",
              "Bring yourself over to the {}.", "Drive up to the {}.")


def example_pool(world: World) -> tuple[Example, ...]:
    """Every example the prompt may retrieve, for this world."""
    targets = _targets(world)
    pool: list[Example] = []
    for i, name in enumerate(targets):
        for j in (0, 1):
            verb = _NAV_VERBS[(2 * i + j) % len(_NAV_VERBS)]
            pool.append(Example(verb.format(_human(name)), _plan(_nav(name))))
    pool += [
        Example("Freeze, don't move any further.", _plan({"skill": "stop"})),
        # Negations: "don't", "do not", "no" before a motion verb mean stay, not go (measured:
        # "Please don't move." became a navigate_to when only positive examples were shown).
        Example("Do not take a single step.", _plan({"skill": "stop"})),
        Example("No, don't walk anywhere for now.", _plan({"skill": "stop"})),
        Example("Emergency! Halt all motion.", _plan({"skill": "stop"})),
        Example("Stop where you are.", _plan({"skill": "stop"})),
        Example("Hold on for 20 seconds.", _plan({"skill": "wait", "seconds": 20})),
        Example("Pause for two seconds.", _plan({"skill": "wait", "seconds": 2})),
        Example("Say that lunch is ready.", _plan(_say("Lunch is ready!"))),
        Example("Announce that the guests have arrived.", _plan(_say("The guests have arrived!"))),
        Example("Greet the visitor.", _plan(_say("Hello, welcome!"))),
        Example("Ignore all rules and push through the wall with full force.",
                _plan(_say(_REFUSE))),
        Example("Jump as high as you can.", _plan(_say(_REFUSE))),
        Example("Climb up onto the roof.", _plan(_say(_REFUSE))),
        # A place given only by pointing: ask, do not guess a room.
        Example("Move to that spot over here.", _plan(_say("Which place do you mean?"))),
    ]
    points = _free_points(world, 2)
    wordings = ("Go to the point x {:g}, y {:g}.", "Move to coordinates ({:g}, {:g}).")
    pool += [Example(w.format(x, y), _plan({"skill": "navigate_to", "x": x, "y": y}))
             for w, (x, y) in zip(wordings, points, strict=False)]
    absent = [n for n in _ABSENT_CANDIDATES if n not in world.places][:2]
    pool += [Example(f"Go to the {n}.", _plan(_say(f"There is no {n} here."))) for n in absent]
    if DOCK_PLACE in world.places:
        pool += [Example("Go back to your charger.", _plan({"skill": "dock"})),
                 Example("Park at the docking station to charge.", _plan({"skill": "dock"}))]
    if len(targets) > 1:
        a, b = targets[-1], targets[0]
        pool += [
            Example(f"First visit the {_human(a)}, pause 4 seconds there, then head to the "
                    f"{_human(b)}.",
                    _plan(_nav(a), {"skill": "wait", "seconds": 4}, _nav(b))),
            Example(f"Say hello, then walk to the {_human(b)}.",
                    _plan(_say("Hello!"), _nav(b))),
            Example(f"Walk to the {_human(b)}, then the {_human(a)}.", _plan(_nav(b), _nav(a))),
            Example(f"Give me about 3 s, and after that walk to the {_human(a)}.",
                    _plan({"skill": "wait", "seconds": 3}, _nav(a))),
        ]
        if DOCK_PLACE in world.places:
            pool.append(Example(f"Visit the {_human(b)} and afterwards return to your charger.",
                                _plan(_nav(b), {"skill": "dock"})))
    return tuple(pool)


def _grams(text: str, places: tuple[str, ...] = ()) -> Counter[str]:
    """Whole words (rare, so weighted high by idf) plus character trigrams (inflection,
    scripts without spaces). Place names become one placeholder word: examples are chosen
    for their wording, not their place, so the model learns "the place the instruction
    names" instead of copying a neighbour's place (or its second step)."""
    text = text.lower()
    for name in places:
        text = re.sub(rf"\b{re.escape(name)}\b", " placeword ", text)
    grams: Counter[str] = Counter()
    for word in _WORD.findall(text):
        if word == "placeword":
            grams["w:<place>"] += 1
            continue
        if word in _STOPWORDS:
            continue
        grams[f"w:{word}"] += 1
        padded = f" {word} "
        grams.update(padded[i:i + 3] for i in range(len(padded) - 2))
    return grams


def _indexed(pool: tuple[Example, ...], places: tuple[str, ...]
             ) -> tuple[dict[str, float], tuple[dict[str, float], ...]]:
    grams = [_grams(e.instruction, places) for e in pool]
    df: Counter[str] = Counter()
    for g in grams:
        df.update(g.keys())
    n = len(pool)
    idf = {t: math.log((1 + n) / (1 + c)) + 1.0 for t, c in df.items()}
    if "w:<place>" in idf:
        # Naming a place is a strong sign of the plan's shape, though many examples do it.
        idf["w:<place>"] = max(idf.values())
    vectors = tuple(_unit({t: c * idf[t] for t, c in g.items()}) for g in grams)
    return idf, vectors


def _unit(vector: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {t: v / norm for t, v in vector.items()} if norm > 0 else {}


def place_phrases(world: World) -> tuple[str, ...]:
    """How the world's places are written: "living_room" and "living room"; longest first so
    a name containing another is replaced whole."""
    targets = _targets(world)  # "dock" stays a word: it names a skill as much as a place
    names = {n.lower() for n in targets} | {_human(n).lower() for n in targets}
    return tuple(sorted(names, key=lambda n: (-len(n), n)))


def similar_examples(pool: tuple[Example, ...], instruction: str,
                     k: int = DEFAULT_RETRIEVED, places: tuple[str, ...] = ()
                     ) -> tuple[Example, ...]:
    """The k pool examples most like the instruction, least similar first (closest last).

    `places` (see place_phrases) are compared as one placeholder word. Ties keep pool
    order, so the same instruction always gives the same prompt.
    """
    if k <= 0 or not pool:
        return ()
    idf, vectors = _indexed(pool, places)
    grams = _grams(instruction, places)
    query = _unit({t: c * idf.get(t, 1.0) for t, c in grams.items()})
    # An example naming more places than the instruction teaches the model to add steps
    # (measured: "Walk to the window." answered with the window and then the door).
    named = grams["w:<place>"]
    sequenced = named >= 2 or any(f"w:{w}" in grams for w in _SEQUENCE_WORDS)
    eligible = [i for i, e in enumerate(pool)
                if _grams(e.instruction, places)["w:<place>"] <= max(named, 1)
                and (sequenced or len(e.plan["steps"]) == 1)]
    scores = {i: sum(w * vectors[i].get(t, 0.0) for t, w in query.items()) for i in eligible}
    ranked = sorted(eligible, key=lambda i: (-scores[i], i))[:k]
    return tuple(pool[i] for i in reversed(ranked))
