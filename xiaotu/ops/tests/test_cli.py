"""The `xiaotu` command: Django's manage.py under our name, with hyphenated command names."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from xiaotu import cli


@pytest.fixture
def passed_on(monkeypatch) -> list[list[str]]:
    """What cli.main hands to Django, instead of running it."""
    calls: list[list[str]] = []
    monkeypatch.setattr("django.core.management.execute_from_command_line", lambda argv: calls.append(argv))
    return calls


def test_hyphenated_command_names_become_python_names(passed_on):
    """`xiaotu api-token --for-user x` runs the api_token command; options keep their hyphens."""
    cli.main(["/usr/bin/xiaotu", "api-token", "--for-user", "some-name"])

    assert passed_on == [["xiaotu", "api_token", "--for-user", "some-name"]]


@pytest.mark.parametrize("argv", [["xiaotu"], ["xiaotu", "--version"], ["xiaotu", "backup", "/tmp/a-b.sqlite3"]])
def test_other_arguments_are_left_alone(passed_on, argv):
    cli.main(list(argv))

    assert passed_on == [["xiaotu", *argv[1:]]]


def test_help_lists_our_commands():
    """`xiaotu help`, run as a user would, lists serve, backup and restore."""
    script = Path(sys.executable).with_name("xiaotu")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "xiaotu.cli"]

    result = subprocess.run([*command, "help"], capture_output=True, text=True, timeout=120, check=False)

    assert result.returncode == 0, result.stderr
    for name in ["serve", "backup", "restore", "migrate"]:
        assert f"    {name}\n" in result.stdout, result.stdout
