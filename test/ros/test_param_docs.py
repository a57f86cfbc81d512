"""The README documents exactly the parameters the nodes declare."""

from __future__ import annotations

from robot_brain.cli.param_docs import README, render, splice


def test_readme_parameter_tables_are_current() -> None:
    text = README.read_text()
    assert splice(text, render()) == text, (
        "README.md's node parameter tables are out of date: run "
        "`python -m robot_brain.cli.param_docs --write`")
