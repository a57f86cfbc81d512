"""Where things belong: the LLM backend kinds are listed once, and core/ has no import cycle."""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

from robot_brain.core.llm.registry import BACKEND_KINDS, KINDS

PACKAGE = Path(__file__).resolve().parents[2] / "robot_brain"
CORE = "robot_brain.core"
REGISTRY = PACKAGE / "core" / "llm" / "registry.py"
LAB = "robot_brain_lab"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Modules of `known` that `path` imports anywhere: at module level, in functions, under
    TYPE_CHECKING. `from package import module` counts as importing the module."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return {m for m in found if m in known and m != name}


def _core_graph() -> dict[str, set[str]]:
    sources = {n: p for n, p in _sources().items() if n.startswith(CORE + ".")}
    known = set(sources)
    return {name: _imports(name, path, known) for name, path in sources.items()}


def _package(module: str) -> str:
    """robot_brain.core.X for a module in the package core/X/, else the module itself."""
    parts = module.split(".")
    top = ".".join(parts[:3])
    return top if (PACKAGE / "core" / parts[2]).is_dir() else module


def _package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, deps in _core_graph().items():
        edges = graph.setdefault(_package(module), set())
        edges.update(_package(d) for d in deps if _package(d) != _package(module))
    return graph


def _assert_acyclic(graph: dict[str, set[str]]) -> None:
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        pytest.fail(f"import cycle: {' -> '.join(exc.args[1])}")


def test_the_import_graph_sees_function_level_and_relative_imports(tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text("import typing\n\nif typing.TYPE_CHECKING:\n    from .b import B\n\n\n"
                      "def f():\n    from robot_brain.core.c import thing\n", encoding="utf-8")
    known = {"robot_brain.core.b", "robot_brain.core.c", "robot_brain.core.c.thing"}
    assert _imports("robot_brain.core.mod", source, known) == known
    graph = _core_graph()
    assert "robot_brain.core.planner.backend_pool" in graph["robot_brain.core.planner.session"]
    assert len(graph) > 50


def test_core_modules_have_no_import_cycle() -> None:
    _assert_acyclic(_core_graph())


def test_core_packages_have_no_import_cycle() -> None:
    _assert_acyclic(_package_graph())


#: Modules at the root of core/: the vocabulary every part shares. Anything else belongs in
#: the package of its part (docs/architecture.md, "Layout").
CORE_ROOT_MODULES = {"errors", "geometry", "health", "places", "resources", "world"}


def test_core_root_holds_only_the_shared_vocabulary() -> None:
    loose = {p.stem for p in (PACKAGE / "core").glob("*.py") if p.stem != "__init__"}
    assert loose == CORE_ROOT_MODULES, (
        f"loose modules in core/: {sorted(loose - CORE_ROOT_MODULES)} (move them into the "
        f"package they belong to); gone: {sorted(CORE_ROOT_MODULES - loose)}")


def test_every_settings_error_is_a_configuration_error() -> None:
    """core/errors.py's rule: a setting a component cannot work with raises a subclass of
    ConfigurationError (run_node reports them all in one line)."""
    import importlib

    from robot_brain.core.errors import ConfigurationError

    checked = []
    for name, path in _sources().items():
        if not name.startswith(CORE + "."):
            continue
        classes = [n.name for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                   if isinstance(n, ast.ClassDef)
                   and n.name.endswith(("ConfigError", "ConfigurationError", "WorldError",
                                        "ParamsFileError"))]
        if classes:
            module = importlib.import_module(name)
            checked += [(f"{name}.{c}", getattr(module, c)) for c in classes]
    offenders = [q for q, cls in checked if not issubclass(cls, ConfigurationError)]
    assert len(checked) >= 15, checked
    assert offenders == [], f"settings errors outside ConfigurationError: {offenders}"


def test_navigation_is_below_planner_control_and_sim() -> None:
    deps = _package_graph()["robot_brain.core.navigation"]
    for above in ("planner", "control", "sim"):
        assert f"{CORE}.{above}" not in deps


def _top_level_imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


def test_nothing_on_the_robot_imports_the_lab() -> None:
    """robot_brain/ is what runs on the robot; training, scoring and evaluation code lives in
    robot_brain_lab/, which only scripts, benchmarks and tests import."""
    offenders = [name for name, path in _sources().items()
                 if LAB in _top_level_imports(path)]
    assert offenders == [], f"robot_brain modules importing {LAB}: {offenders}"
    assert (PACKAGE.parent / LAB / "__init__.py").is_file()


def test_the_lab_scan_finds_an_import(tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text("def f():\n    from robot_brain_lab.place_legs import run_leg\n",
                      encoding="utf-8")
    assert LAB in _top_level_imports(source)


def test_backends_import_only_the_types() -> None:
    graph = _core_graph()
    # The leaf helpers a backend may use (none imports anything else of the core): the types,
    # model files, llama.cpp's grammar sampler, the openai backend's HTTP stream.
    own = {"robot_brain.core.llm.types", "robot_brain.core.llm.model_files",
           "robot_brain.core.llm.grammar_sampler", "robot_brain.core.llm.sse_stream",
           "robot_brain.core.errors"}
    for kind in KINDS.values():
        assert graph[kind.module] <= own, kind.module
        assert "robot_brain.core.llm.registry" not in graph[kind.module]


def _listed_kinds(node: ast.AST) -> list[str]:
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        items: list[ast.expr | None] = list(node.elts)
    elif isinstance(node, ast.Dict):
        items = list(node.keys)
    else:
        return []
    return [i.value for i in items
            if isinstance(i, ast.Constant) and isinstance(i.value, str) and i.value in KINDS]


def test_the_registry_is_the_only_list_of_backend_kinds() -> None:
    assert len(BACKEND_KINDS) >= 2
    offenders = []
    for name, path in _sources().items():
        if path == REGISTRY:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            kinds = _listed_kinds(node)
            if len(kinds) >= 2:
                offenders.append(f"{name}:{node.lineno}: {kinds}")  # type: ignore[attr-defined]
    assert offenders == [], "backend kinds listed outside the registry: " + "; ".join(offenders)


def test_the_scan_finds_a_listing() -> None:
    tree = ast.parse('CHOICES = ("llama_cpp", "openai")\nPRIORS = {"openai": 1, "scripted": 2}')
    found = [_listed_kinds(n) for n in ast.walk(tree)]
    assert ["llama_cpp", "openai"] in found and ["openai", "scripted"] in found
