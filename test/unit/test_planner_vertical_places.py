"""The user's words for the places of a world it was not trained on: the office map's places
file (aliases in English and German), near spellings, endings, other scripts, and places the
world lacks, named back in the user's own spelling."""

from __future__ import annotations

import pytest

from robot_brain.core.planner.vertical.places import PlaceMatcher, destination_words
from robot_brain.core.planner.vertical.planner import Outcome, VerticalPlanner, VerticalResult
from robot_brain.core.world import load_world_file, parse_world

OFFICE = load_world_file("office")


@pytest.fixture(scope="module")
def office() -> VerticalPlanner:
    return VerticalPlanner(OFFICE)


def plan_of(result: VerticalResult) -> list[str]:
    assert result.plan is not None, result
    return [f"{s['skill']} {s.get('place', s.get('seconds', ''))}".strip()
            for s in result.plan["steps"]]


def test_the_office_loads_from_its_map_and_places_file() -> None:
    assert OFFICE.grid is not None and len(OFFICE.places) == 10
    assert "Drucker" in OFFICE.places["printer"].aliases


@pytest.mark.parametrize("text, expected", [
    ("Geh zum Drucker.", "navigate_to printer"),                 # German alias, dative
    ("Ve a la recepción.", "navigate_to reception"),             # a Spanish near spelling
    ("Ve a la recepcion.", "navigate_to reception"),             # ... accent dropped
    ("Va à la réception.", "navigate_to reception"),             # French: the alias, folded
    ("Geh in die Teeküche.", "navigate_to kitchen"),
    ("Geh in die Teekuche.", "navigate_to kitchen"),             # umlaut dropped
    ("Geh in die Teekueche.", "navigate_to kitchen"),            # umlaut written out: one edit
    ("Geh zu den Toiletten.", "navigate_to restroom"),
    ("Go to the restrooms.", "navigate_to restroom"),            # plural ending
    ("Take me to the prnter.", "navigate_to printer"),           # a letter missing
    ("Head to the meting room.", "navigate_to meeting_room"),    # in a two-word alias
    ("Go to the conferance room.", "navigate_to meeting_room"),
    ("Go to the elevatro.", "navigate_to elevator"),             # two letters swapped
    ("Go to the boss's office.", "navigate_to manager_office"),
    ("Vete a la cocina.", "navigate_to kitchen"),                # the lexicon's synonyms
    ("Fahr zurück zur Ladestation.", "dock"),
])
def test_the_users_words_find_the_place(office: VerticalPlanner, text: str,
                                        expected: str) -> None:
    result = office.plan(text)
    assert result.outcome is Outcome.PLAN and plan_of(result) == [expected], result


@pytest.mark.parametrize("text, said", [
    ("Take me to the cafeteria.", "There is no cafeteria here."),
    ("Drive me to Paris.", "There is no Paris here."),
    ("Geh zum Dachboden.", "There is no Dachboden here."),
    ("Go to the bedroom.", "There is no bedroom here."),    # a concept the lexicon knows
])
def test_a_place_the_world_lacks_is_named_never_guessed(office: VerticalPlanner, text: str,
                                                        said: str) -> None:
    result = office.plan(text)
    assert result.outcome is Outcome.REFUSAL and not result.moves
    assert result.plan == {"steps": [{"skill": "say", "text": said}]}


def test_near_spellings_never_bend_ordinary_words() -> None:
    matcher = PlaceMatcher(["printer", "reception", "meeting_room"],
                           {"meeting_room": ["meeting room"]}, common_words=["pointer"])
    assert matcher.find("move the pointer") == []               # a word the model knows
    assert matcher.find("to the") == [] and matcher.find("go there") == []
    found = matcher.find("go to the prnter and the reseption")
    assert [(f.place, f.known) for f in found] == [("printer", True), ("reception", True)]
    # As near to two places: neither.
    two = PlaceMatcher(["lab_a", "lobby"], {"lab_a": ["stores"], "lobby": ["stares"]})
    assert two.find("go to the stxres") == []
    # Short aliases are matched exactly only ("lab" is not "lap").
    assert PlaceMatcher(["lab"]).find("sit on my lap") == []


def test_aliases_in_any_script_are_matched() -> None:
    world = parse_world({
        "name": "flat", "bounds": {"x_min": -3, "x_max": 3, "y_min": -3, "y_max": 3},
        "places": {"meeting_room": {"x": 1, "y": 1, "aliases": ["会议室", "переговорная",
                                                                 "会議室"]},
                   "lab": {"x": -1, "y": -1, "aliases": ["Labor", "лаборатория"]}}})
    vp = VerticalPlanner(world)
    assert plan_of(vp.plan("去会议室。")) == ["navigate_to meeting_room"]
    assert [m.place for m in vp.matcher.find("иди в переговорную")] == ["meeting_room"]
    assert [m.place for m in vp.matcher.find("geh ins labor")] == ["lab"]


def test_destination_words() -> None:
    assert destination_words("drive me to paris") == "paris"
    assert destination_words("geh zum dachboden") == "dachboden"
    assert destination_words("ve a la azotea") == "azotea"
    assert destination_words("go to the") is None and destination_words("wait here") is None


def test_a_remark_beside_dont_move_still_stops_at_once(office: VerticalPlanner) -> None:
    from robot_brain.core.planner.vertical.cascade import Tier, decide

    for text in ("Don't move, the floor is wet.", "Beweg dich nicht, der Boden ist nass."):
        result = office.plan(text)
        assert plan_of(result) == ["stop"] and not result.moves, (text, result)
        assert decide(result).tier is Tier.VERTICAL     # never handed to a model that moves
