"""The root's help printed without typer (``moralbank.cli.root_help``) is typer's own, byte for byte.

Each case runs the entry point twice as a whole process: ``cli.main`` (the fast path) and
``moralbank.cli.main`` (typer builds the root and prints its help), in both languages, at
several widths, piped, with colour forced and on a terminal, and compares exit codes and bytes.
A change in typer, rich or any help text that parts the two fails here.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from moralbank.cli import root_help

REPO = Path(__file__).resolve().parent.parent
FAST = "import sys; sys.argv[0] = 'moralbank'; import cli; cli.main()"
TYPER = "import sys; sys.argv[0] = 'moralbank'; from moralbank.cli import main; main()"
QUIET = {"GITHUB_ACTIONS", "FORCE_COLOR", "PY_COLORS", "NO_COLOR", "TERMINAL_WIDTH", "_TYPER_FORCE_DISABLE_TERMINAL"}
BASE = {name: value for name, value in os.environ.items() if name not in QUIET and not name.startswith("MORALBANK_")}
BASE |= {"LANG": "C.UTF-8", "LC_ALL": "", "TERM": "xterm-256color"}


def _piped(code: str, args: list[str], env: dict[str, str]) -> tuple[int, bytes]:
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=REPO, env=env, capture_output=True, check=False)
    return done.returncode, done.stdout + b"\0" + done.stderr


def _on_terminal(code: str, args: list[str], env: dict[str, str]) -> tuple[int, bytes]:
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-c", code, *args], cwd=REPO, env=env, stdout=follower)
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closes when the process ends
                break
            if not chunk:
                break
            chunks.append(chunk)
        return proc.wait(), b"".join(chunks)
    finally:
        os.close(leader)


def _same(args: list[str], env: dict[str, str], *, terminal: bool = False) -> bytes:
    run = _on_terminal if terminal else _piped
    fast, typer = run(FAST, args, env), run(TYPER, args, env)
    assert fast == typer
    return fast[1]


@pytest.mark.parametrize("columns", ["80", "120", "40"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_root_help_is_typers_piped_and_in_colour(lang: str, columns: str) -> None:
    env = BASE | {"COLUMNS": columns}
    plain = _same(["--lang", lang, "--help"], env)
    assert b"moralbank" in plain and b"\x1b[" not in plain
    coloured = _same(["--help"], env | {"MORALBANK_LANG": lang, "FORCE_COLOR": "1"})
    assert b"\x1b[" in coloured


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_root_help_is_typers_on_a_terminal(lang: str) -> None:
    shown = _same(["--help"], BASE | {"COLUMNS": "100", "MORALBANK_LANG": lang}, terminal=True)
    assert b"\x1b[" in shown


@pytest.mark.parametrize(
    "args",
    [
        [],  # bare: the help, exit 2
        ["--db", "other.db", "--operator", "王", "--help"],
        ["--help", "--lang=zh", "--db=x.db"],
        ["--lang", "fr", "--help"],  # not a language: the help in the environment's
        ["--help", "--help"],
    ],
)
def test_every_root_help_invocation_is_typers(args: list[str]) -> None:
    _same(args, BASE | {"COLUMNS": "80", "MORALBANK_LANG": "zh", "MORALBANK_DB": "env.db"})


def test_narrow_and_width_capped_terminals_are_typers() -> None:
    _same(["--help"], BASE | {"COLUMNS": "20"})
    _same(["--help"], BASE | {"TERMINAL_WIDTH": "60", "FORCE_COLOR": "1"})


@pytest.mark.parametrize(
    "args",
    [
        ["-h"],
        ["--help", "award"],
        ["award", "--help"],
        ["--version", "--help"],
        ["--db"],
        ["--db", "--help"],
        ["--lang", "zh"],
        ["--", "--help"],
        ["--bogus", "--help"],
    ],
)
def test_anything_else_is_left_to_typer(args: list[str]) -> None:
    assert root_help._root_help_lang(args) is None


def test_shell_completion_is_left_to_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_MORALBANK_COMPLETE", "complete_bash")
    assert root_help.answered(["--help"]) is False


@pytest.mark.parametrize("args", [["--help"], ["--lang", "en", "--help"], []])
def test_help_with_stdout_closed_ends_as_typers_does(args: list[str]) -> None:
    """A help asked for with stdout closed (``moralbank --help >&-``): no traceback, typer's exit code."""

    def closed(code: str) -> tuple[int, bytes]:
        done = subprocess.run(
            [sys.executable, "-c", code, *args],
            cwd=REPO,
            env=BASE,
            stdout=None,
            stderr=subprocess.PIPE,
            check=False,
            close_fds=True,
            preexec_fn=lambda: os.close(1),
        )
        return done.returncode, done.stderr

    fast, typer = closed(FAST), closed(TYPER)
    assert fast == typer
    assert b"Traceback" not in fast[1]
