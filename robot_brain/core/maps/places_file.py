"""The places file: named points on the robot's map, in the user's own words.

    # places of the robot's map (frame map)
    frame: map                      # optional; the only frame places can be in
    start: {x: 0.0, y: 0.0, yaw: 0.0}   # optional: where the built-in simulator starts
    places:
      printer: {x: 4.2, y: 1.5, yaw: 1.57, aliases: [copier, Drucker, Kopierer]}
      reception: {x: 0.8, y: 0.4, aliases: [front desk, Empfang, recepción]}

The same `places:` mapping the world files hold (x, y in metres, optional yaw in radians,
optional aliases in any language and script). A name is one word (letters of any script,
digits, '_' or '-'): plans and logs carry it; the aliases carry the spoken forms.

Checked on load, each failure one line naming the place: a name given twice (also after case
and accents are folded, so "Küche" and "kuche" are one name), an alias shared by two places or
equal to another place's name, a place outside the map, in an obstacle, or nearer to one than
the robot's radius (the body could not stand there). Saving rewrites the whole file
atomically (a temporary file beside it, then os.replace), so a crash never leaves half a file.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import yaml

from robot_brain.core.maps.errors import PlacesFileError
from robot_brain.core.places import Place

#: The one frame places may be in.
PLACES_FRAME = "map"
MAX_NAME_CHARS = 64
MAX_ALIAS_CHARS = 64
MAX_ALIASES = 32
MAX_PLACES = 1000
#: Letters of any script, digits, '_' and '-': what a plan, a log and a command line carry.
_NAME = re.compile(r"[^\W_][\w-]*", re.UNICODE)
_KEYS = {"frame", "start", "places"}
_PLACE_KEYS = {"x", "y", "yaw", "aliases"}


@dataclass(frozen=True)
class PlacesFile:
    places: Mapping[str, Place]
    start: Place | None = None
    source: str = "<memory>"
    frame: str = PLACES_FRAME
    extra: Mapping[str, Any] = field(default_factory=dict)


def fold_name(text: str) -> str:
    """A name or alias as two people would say it the same: case, accents, '_' / '-' / spaces
    folded ("Living_Room", "living room", "Küche" / "kuche")."""
    text = unicodedata.normalize("NFKD", text.casefold().replace("ß", "ss"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[_\-]+", " ", text).split())


def check_name(name: Any, where: str) -> str:
    """A place name, or PlacesFileError saying what is wrong with it."""
    if not isinstance(name, str) or not name.strip():
        raise PlacesFileError(f"{where}: a place name must be a non-empty string, got "
                              f"{_short(name)}")
    if len(name) > MAX_NAME_CHARS:
        raise PlacesFileError(f"{where}: place name of {len(name)} characters, at most "
                              f"{MAX_NAME_CHARS}")
    if not _NAME.fullmatch(name):
        hint = "_".join(name.split())
        raise PlacesFileError(
            f"{where}: place name {_short(name)} must be one word of letters, digits, '_' or "
            f"'-' (say {_short(hint)}, and give the spoken form as an alias)")
    return name


def check_aliases(raw: Any, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, (list, tuple)):
        raise PlacesFileError(f"{where}: 'aliases' must be a list of strings, got "
                              f"{type(raw).__name__}")
    if len(raw) > MAX_ALIASES:
        raise PlacesFileError(f"{where}: {len(raw)} aliases, at most {MAX_ALIASES}")
    out: list[str] = []
    for a in raw:
        if not isinstance(a, str) or not a.strip():
            raise PlacesFileError(f"{where}: an alias must be a non-empty string, got "
                                  f"{_short(a)}")
        if len(a) > MAX_ALIAS_CHARS:
            raise PlacesFileError(f"{where}: alias of {len(a)} characters, at most "
                                  f"{MAX_ALIAS_CHARS}")
        if not any(ch.isalnum() for ch in a):
            raise PlacesFileError(f"{where}: alias {_short(a)} has no letter or digit")
        out.append(" ".join(a.split()))
    return tuple(out)


def check_unique(places: Iterable[Place], where: str) -> None:
    """No two places with one name, no alias of two places or equal to another's name."""
    owner: dict[str, str] = {}
    for p in places:
        key = fold_name(p.name)
        if key in owner:
            raise PlacesFileError(f"{where}: place '{p.name}' is given twice (as "
                                  f"'{owner[key]}' too)")
        owner[key] = p.name
    spoken: dict[str, str] = {}
    for p in places:
        for a in p.aliases:
            key = fold_name(a)
            if key in owner and owner[key] != p.name:
                raise PlacesFileError(f"{where}: alias '{a}' of place '{p.name}' is the name "
                                      f"of place '{owner[key]}'")
            if key in spoken and spoken[key] != p.name:
                raise PlacesFileError(f"{where}: alias '{a}' is given to both '{spoken[key]}' "
                                      f"and '{p.name}': it would name neither")
            spoken[key] = p.name


def parse_places(data: Any, source: str = "<memory>") -> PlacesFile:
    """A PlacesFile from parsed YAML; PlacesFileError naming the place and the key."""
    where = f"places file {source}"
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PlacesFileError(f"{where}: top level must be a mapping, got "
                              f"{type(data).__name__}")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise PlacesFileError(f"{where}: unknown key(s) {unknown} (frame, start, places)")
    frame = data.get("frame", PLACES_FRAME)
    if frame != PLACES_FRAME:
        raise PlacesFileError(f"{where}: frame {frame!r}: places are in the '{PLACES_FRAME}' "
                              f"frame")
    raw = data.get("places") or {}
    if not isinstance(raw, dict):
        raise PlacesFileError(f"{where}: 'places' must be a mapping of name: {{x, y}}")
    if len(raw) > MAX_PLACES:
        raise PlacesFileError(f"{where}: {len(raw)} places, at most {MAX_PLACES}")
    places: dict[str, Place] = {}
    for name, p in raw.items():
        ctx = f"{where}: place {_short(name)}"
        check_name(name, ctx)
        places[name] = parse_place(name, p, ctx)
    check_unique(places.values(), where)
    start = None
    if data.get("start") is not None:
        start = parse_place("start", data["start"], f"{where}: start", aliases=False)
    return PlacesFile(places, start, source, frame)


def parse_place(name: str, p: Any, ctx: str, aliases: bool = True) -> Place:
    if not isinstance(p, dict):
        raise PlacesFileError(f"{ctx}: expected a mapping {{x, y, yaw, aliases}}, got "
                              f"{type(p).__name__}")
    unknown = sorted(set(p) - (_PLACE_KEYS if aliases else _PLACE_KEYS - {"aliases"}))
    if unknown:
        raise PlacesFileError(f"{ctx}: unknown key(s) {unknown}")
    return Place(name, _number(p, "x", ctx), _number(p, "y", ctx),
                 _number(p, "yaw", ctx, 0.0), check_aliases(p.get("aliases"), ctx))


def load_places_file(path: str | Path) -> PlacesFile:
    """Read and check a places file (names, aliases, numbers); where the places lie is checked
    against the map by check_positions."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlacesFileError(f"places file {path}: cannot be read ({exc.strerror or exc})") \
            from exc
    except UnicodeDecodeError as exc:
        raise PlacesFileError(f"places file {path}: not UTF-8 text ({exc.reason})") from exc
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except _DuplicateKey as exc:
        raise PlacesFileError(f"places file {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        first = str(exc).strip().splitlines()
        raise PlacesFileError(f"places file {path}: not valid YAML "
                              f"({' '.join(first[:2]) if first else exc})") from exc
    return parse_places(data, str(path))


def check_positions(places: PlacesFile, bounds: tuple[float, float, float, float],
                    clearance: Callable[[float, float], float], robot_radius: float) -> None:
    """Every place (and the start) inside the map, in free space, and at least the robot's
    radius from every obstacle; PlacesFileError naming the first that is not."""
    where = f"places file {places.source}"
    items = list(places.places.values()) + ([places.start] if places.start else [])
    for p in items:
        check_position(p, bounds, clearance, robot_radius, where)


def check_position(p: Place, bounds: tuple[float, float, float, float],
                   clearance: Callable[[float, float], float], robot_radius: float,
                   where: str) -> None:
    label = "start" if p.name == "start" else f"place '{p.name}'"
    x_min, x_max, y_min, y_max = bounds
    if not (x_min <= p.x <= x_max and y_min <= p.y <= y_max):
        raise PlacesFileError(
            f"{where}: {label} at ({p.x:.2f}, {p.y:.2f}) is outside the map (x {x_min:.2f} .. "
            f"{x_max:.2f}, y {y_min:.2f} .. {y_max:.2f})")
    c = clearance(p.x, p.y)
    if c <= 0.0:
        raise PlacesFileError(f"{where}: {label} at ({p.x:.2f}, {p.y:.2f}) is inside an "
                              f"obstacle (or unknown space) of the map")
    if c < robot_radius:
        raise PlacesFileError(
            f"{where}: {label} at ({p.x:.2f}, {p.y:.2f}) is {c:.2f} m from an obstacle, less "
            f"than the robot's radius {robot_radius:g} m: the body cannot stand there")


def sibling_places_file(map_yaml: str | Path) -> str:
    """`<map>.places.yaml` beside a map YAML when it exists (the places that go with a map
    when none are named), else ''."""
    path = Path(map_yaml)
    candidate = path.with_name(path.stem + ".places.yaml")
    return str(candidate) if candidate.is_file() else ""


def places_yaml(places: PlacesFile) -> str:
    """The file's text: a header line, then frame, start and places, aliases as flow lists."""
    lines = ["# Places of the robot's map (frame map): x, y in m, yaw in rad, aliases in any",
             "# language. Rewritten by the planner when places are saved or removed.",
             f"frame: {PLACES_FRAME}"]
    if places.start is not None:
        s = places.start
        lines.append(f"start: {{x: {_num(s.x)}, y: {_num(s.y)}, yaw: {_num(s.yaw)}}}")
    lines.append("places:" if places.places else "places: {}")
    for name, p in places.places.items():
        fields = [f"x: {_num(p.x)}", f"y: {_num(p.y)}"]
        if p.yaw != 0.0:
            fields.append(f"yaw: {_num(p.yaw)}")
        if p.aliases:
            fields.append("aliases: [" + ", ".join(_yaml_str(a) for a in p.aliases) + "]")
        lines.append(f"  {_yaml_str(name)}: {{{', '.join(fields)}}}")
    return "\n".join(lines) + "\n"


def save_places_file(path: str | Path, places: PlacesFile) -> None:
    """Rewrite `path` atomically: the text goes to a temporary file in the same directory,
    is flushed to disk, and replaces the old file in one rename."""
    path = Path(path)
    text = places_yaml(places)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


class _DuplicateKey(ValueError):
    """A mapping key given twice in the YAML."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice (PyYAML would keep the last silently)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode,
                       deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise _DuplicateKey(f"key {_short(key)} is given twice (line "
                                f"{key_node.start_mark.line + 1})")
        seen.add(key)
    return loader.construct_mapping(node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                                 _construct_mapping)


def _number(m: dict[str, Any], key: str, ctx: str, default: float | None = None) -> float:
    if key not in m:
        if default is None:
            raise PlacesFileError(f"{ctx}: missing '{key}'")
        return default
    v = m[key]
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise PlacesFileError(f"{ctx}: '{key}' must be a finite number, got {_short(v)}")
    return float(v)


def _num(v: float) -> str:
    return repr(round(v, 6))


def _yaml_str(s: str) -> str:
    """A string as YAML reads it back unchanged (quoted when plain style would not)."""
    dumped = yaml.safe_dump(s, allow_unicode=True, default_flow_style=True, width=1000)
    return dumped.removesuffix("\n...\n").strip()


def _short(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 40 else text[:37] + "..."
