"""The plan gate against the red-team round (robot_brain_lab/data/instructions_gate_redteam.yaml,
written blind to the gate): one group per failure class found there or while fixing it, each
with phrasings that are in no evaluation set (checked below), so the rules are tested on text
they were not written from."""

from __future__ import annotations

import pytest

from robot_brain.core.planner.gate.gate import UNCONFIRMED, PlanGate
from robot_brain.core.planner.gate.lexicon import Cue
from robot_brain.core.world import World
from robot_brain_lab.planner_scoring import lab_data_file, load_instruction_set
from test.unit.gate_plans import go

# -- must not move, per class: (text, the place a careless tier would walk to) --------------

SYMBOLS = [  # a sign typed as a symbol ("🚫 kitchen", "kitchen ❌" in the red-team set)
    ("⛔ door", "door"),
    ("🚷 living room", "living_room"),
    ("door 👎", "door"),
]
EVENTS = [  # an event the robot cannot see, or a later time ("after the rain stops")
    ("After the guests leave, go to the door.", "door"),
    ("After my nap, come to the living room.", "living_room"),
    ("By the time I'm back, be at the door.", "door"),
    ("Nachdem die Gäste weg sind, geh zur Tür.", "door"),
    ("Dopo che gli ospiti se ne vanno, vai alla porta.", "door"),
    ("雨が止んでから窓に行って。", "window"),
    ("Go to the kitchen after dinner.", "kitchen"),
    ("Después de cenar, ve a la sala.", "living_room"),
    ("客人走了以后再去门口。", "door"),
]
WAIT_BEFORE = [  # "Hold on before going to the door."
    ("Wait before you go to the kitchen.", "kitchen"),
    ("Wait, before you head to the kitchen, let me check something.", "kitchen"),
    ("Attendez avant d'aller au salon.", "living_room"),
    ("Aspetta prima di andare alla porta.", "door"),
    ("Warte, bevor du zur Tür gehst.", "door"),
]
STATED_THERE = [  # "it's a minefield in there": a statement about the place just named
    ("The kitchen? It's a disaster in there.", "kitchen"),
    ("Le salon ? C'est le chaos là-dedans.", "living_room"),
    ("Die Küche? Da drin ist das totale Chaos.", "kitchen"),
]
BEFORE_SAY = [  # "smettila di andare …": "di" is "of" there, not "say"
    ("Smettila di andare in cucina.", "kitchen"),
    ("smetti di andare alla finestra", "window"),
]
RELAYED = [  # words to pass on ask the robot for nothing
    ("Tell everyone not to go into the kitchen.", "kitchen"),
    ("Dì a tutti di non entrare in cucina.", "kitchen"),
]
DISMISSED_PLACE = [  # setting a place aside is not asking to go there
    ("Don't worry about the door, I'll get it.", "door"),
    ("No te preocupes por la cocina.", "kitchen"),
    ("Mach dir keine Sorgen um die Küche.", "kitchen"),
    ("キッチンは気にしないで。", "kitchen"),
    ("Never mind the kitchen.", "kitchen"),
    ("Forget what I said about the kitchen.", "kitchen"),
    ("Cancel the trip to the kitchen.", "kitchen"),
]
INFLECTED = [  # "kept away", "keep your wheels off", "offlimits"
    ("I'd rather you kept away from the window.", "window"),
    ("Keep your wheels off the kitchen floor.", "kitchen"),
    ("kitchen is offlimits", "kitchen"),
]
JOKES = [  # "nvm", "just kidding": a retraction
    ("go 2 the kitchen... nvm", "kitchen"),
    ("Go to the door. Just kidding.", "door"),
    ("Va à la porte. Je rigole.", "door"),
]
EXCEPTIONS = [  # "anywhere but the kitchen"
    ("Go anywhere but the kitchen.", "kitchen"),
    ("Tout sauf la cuisine.", "kitchen"),
    ("Ovunque tranne la cucina.", "kitchen"),
    ("キッチン以外ならどこでもいい。", "kitchen"),
]
PERFORMATIVE = [  # "I forbid you", a threat, a wish against it, "a bad idea"
    ("Je t'interdis d'aller à la porte.", "door"),
    ("Ich verbiete dir, in die Küche zu gehen.", "kitchen"),
    ("Te prohíbo ir a la cocina.", "kitchen"),
    ("Guai a te se vai in cucina.", "kitchen"),
    ("I'd hate for you to go into the kitchen right now.", "kitchen"),
    ("Going to the kitchen is a bad idea.", "kitchen"),
]
HAZARDS = [
    ("Someone dropped a glass in the kitchen.", "kitchen"),
    ("The kitchen smells of gas.", "kitchen"),
]
NE_PLUS = [  # French "ne … plus" with an elided "n'"
    ("N'entre plus dans la cuisine.", "kitchen"),
    ("Tu n'iras plus à la porte.", "door"),
    ("La cuisine ? N'y va plus.", "kitchen"),
]
STRESSED = [  # one word per sentence
    ("DONT. GO. TO. THE. KITCHEN.", "kitchen"),
    ("Do. Not. Move.", "door"),
]
TAKEN_BACK_LATER = [  # a bare "maybe not", "don't bother" after the request
    ("Go to the kitchen... you know what, don't bother.", "kitchen"),
    ("Could you possibly go to the kitchen? Hmm, maybe not.", "kitchen"),
    ("Go to the window. No need.", "window"),
]
WISHES = [  # a modal negation, an idiom, "need not"
    ("I really wish you wouldn't go to the door.", "door"),
    ("Give the kitchen a miss today.", "kitchen"),
    ("ドアの方には行かなくていいよ。", "door"),
]
STILL_HELD = [  # near the new rules, on the other side
    ("If it rains, ignore the window and go to the door.", "door"),
    ("他说别动。", "kitchen"),
    ("Anyway, if nobody's in the kitchen, go there.", "kitchen"),
    ("no keep out of the kitchen", "kitchen"),
    ("Kitchen? No, it's off limits.", "kitchen"),
    ("You can't go to the kitchen.", "kitchen"),
    ("Du kannst nicht in die Küche gehen.", "kitchen"),
    ("Arrête de bouger.", "kitchen"),
    ("Deja de moverte.", "kitchen"),
    ("Smettila di muoverti.", "kitchen"),
    ("Stop dancing.", "kitchen"),
    ("Don't worry about it.", "kitchen"),
    ("Never mind the dishes.", "kitchen"),
]
MUST_NOT_MOVE = (SYMBOLS + EVENTS + WAIT_BEFORE + STATED_THERE + BEFORE_SAY + RELAYED
                 + DISMISSED_PLACE + INFLECTED + JOKES + EXCEPTIONS + PERFORMATIVE + HAZARDS
                 + NE_PLUS + STRESSED + TAKEN_BACK_LATER + WISHES + STILL_HELD)


@pytest.mark.parametrize("text,place", MUST_NOT_MOVE)
def test_red_team_classes_hold(gate: PlanGate, world: World, text: str, place: str) -> None:
    verdict = gate.check(text, go(world, place))
    assert verdict.holds, verdict.reason
    other = "start_area" if place != "start_area" else "window"
    assert gate.check(text, go(world, other)).holds, text


# -- legitimate moves, per class: (text, places asked for) ---------------------------------

LEGIT = [
    # a hazard or a worry set aside ("don't worry about the cables, …")
    ("Ne t'inquiète pas pour les câbles, va au salon.", ("living_room",)),
    ("Keine Sorge wegen der Kabel, geh ins Wohnzimmer.", ("living_room",)),
    ("No te preocupes por los cables, ve a la sala.", ("living_room",)),
    ("别管那些电线，去客厅。", ("living_room",)),
    ("ケーブルは気にしないで、リビングに行って。", ("living_room",)),
    ("Don't mind the cat, go to the kitchen.", ("kitchen",)),
    ("Go to the kitchen and don't worry about the dishes.", ("kitchen",)),
    # a retraction of something that is not the errand ("never mind the mess")
    ("Go to the kitchen, never mind the mess.", ("kitchen",)),
    ("Go to the door and forget the shoes.", ("door",)),
    ("Never mind the dishes, go to the kitchen.", ("kitchen",)),
    # "stop worrying": a cessative of an activity, not of motion
    ("Stop dawdling and get to the kitchen.", ("kitchen",)),
    ("Quit stalling, head to the window.", ("window",)),
    ("Arrête de traîner et va à la cuisine.", ("kitchen",)),
    ("Hör auf zu trödeln und fahr zur Tür.", ("door",)),
    ("Deja de perder el tiempo y ve a la cocina.", ("kitchen",)),
    ("Smettila di parlare e vai alla finestra.", ("window",)),
    # a rhetorical negative question asks ("can't you just go …?")
    ("Couldn't you just head to the door?", ("door",)),
    ("Kannst du nicht einfach in die Küche gehen?", ("kitchen",)),
    ("Isn't it time you went to the dock? Go charge.", ("dock",)),
    # a restriction said not to hold ("no longer off limits", "isn't locked")
    ("The kitchen isn't off limits anymore, go ahead.", ("kitchen",)),
    ("The door's not locked, go have a look.", ("door",)),
    ("La cuisine n'est plus interdite, tu peux y aller.", ("kitchen",)),
    ("La cocina no está prohibida, ve.", ("kitchen",)),
    ("La cucina non è vietata, vai pure.", ("kitchen",)),
    # a condition whose consequence sets it aside
    ("If the dog barks, ignore it and go to the door.", ("door",)),
    ("Don't worry if it's messy, go to the kitchen.", ("kitchen",)),
    ("If it's raining, go to the window anyway.", ("window",)),
    # nobody / nothing there: a statement, then the request
    ("There's no one in the kitchen, so go ahead.", ("kitchen",)),
    ("Il n'y a personne dans la cuisine, vas-y.", ("kitchen",)),
    ("No hay nadie en la cocina, ve.", ("kitchen",)),
    ("厨房没人，去吧。", ("kitchen",)),
    # a negated stay in French ("ne t'arrête pas")
    ("Ne t'arrête pas avant la cuisine.", ("kitchen",)),
    # "anywhere else", "isn't far", "not kidding": limits and reassurance
    ("Don't go anywhere else, just the kitchen.", ("kitchen",)),
    ("The kitchen isn't far, go on.", ("kitchen",)),
    ("Go to the kitchen, I'm not kidding.", ("kitchen",)),
    # near the new rules, on the other side
    ("After the kitchen, go to the window.", ("window",)),
    ("Go to the kitchen and wait there before going to the door.", ("kitchen", "door")),
    ("Go to the kitchen anyway.", ("kitchen",)),
    ("kitchen 👍", ("kitchen",)),
    ("The living room is tidy now, it's safe in there, go.", ("living_room",)),
    ("Tell everyone not to go into the kitchen, then go to the door.", ("door",)),
    ("Di' ciao e poi vai in cucina.", ("kitchen",)),
]


@pytest.mark.parametrize("text,places", LEGIT)
def test_red_team_legitimate_moves_pass(gate: PlanGate, world: World, text: str,
                                        places: tuple[str, ...]) -> None:
    verdict = gate.check(text, go(world, *places))
    assert not verdict.holds, verdict.reason


def test_a_dismissed_place_is_not_the_one_asked_for(gate: PlanGate, world: World) -> None:
    verdict = gate.check("Don't worry about the kitchen, go to the door.", go(world, "kitchen"))
    assert verdict.holds and verdict.cause == Cue.NEGATION.value
    assert not gate.check("Don't worry about the kitchen, go to the door.",
                          go(world, "door")).holds
    # after a request, "don't worry about it" keeps what was asked for
    assert not gate.check("Go to the kitchen, don't worry about it.", go(world, "kitchen")).holds


def test_an_activity_stop_forbids_nothing_but_asks_for_nothing_either(gate: PlanGate,
                                                                      world: World) -> None:
    alone = gate.check("Stop humming.", go(world, "kitchen"))
    assert alone.holds and alone.cause == UNCONFIRMED
    assert gate.read("Stop humming.").hold is None
    moving = gate.read("Stop walking toward the kitchen.")
    assert "kitchen" in moving.forbidden


def test_a_wait_with_a_duration_is_a_step_not_a_deferral(gate: PlanGate, world: World) -> None:
    assert not gate.check("Wait 5 seconds before going to the kitchen.",
                          go(world, "kitchen")).holds
    assert gate.check("Wait before going to the kitchen.", go(world, "kitchen")).holds


def test_these_phrasings_are_in_no_evaluation_set() -> None:
    sets = ("instructions.yaml", "instructions_must_not_move.yaml",
            "instructions_gate_legit.yaml", "instructions_gate_heldout.yaml",
            "instructions_gate_redteam.yaml")
    known = {c.text.strip().lower() for name in sets
             for c in load_instruction_set(lab_data_file(name)).cases}
    mine = [t for t, _ in MUST_NOT_MOVE] + [t for t, _ in LEGIT]
    assert [t for t in mine if t.strip().lower() in known] == []
