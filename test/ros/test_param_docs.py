"""docs/parameters.md documents exactly the parameters the nodes declare."""

from __future__ import annotations

from robot_brain.cli.param_docs import DOC, render, splice


def test_parameter_tables_are_current() -> None:
    text = DOC.read_text()
    assert splice(text, render()) == text, (
        "docs/parameters.md's parameter tables are out of date: run "
        "`python -m robot_brain.cli.param_docs --write`")
