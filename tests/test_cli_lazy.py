"""The command line builds only the command it runs: the listing of every command stays whole and the same.

``moralbank.cli.TOP_LEVEL`` names each top-level command, its help key and the modules that
define it, so the root's help lists every command without importing one; these tests hold it to
the tree that importing every module builds.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import pytest
import typer.main

import cli
from moralbank.cli import MODULES, TOP_LEVEL, command_named, modules_for
from moralbank.cli.framework import ORIGINAL

REPO = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "COLUMNS": "100", "MORALBANK_LANG": "", "LANG": "C.UTF-8", "MORALBANK_OPERATOR": ""}


def _modules_of(command: object) -> list[str]:
    callback = getattr(command, "callback", None)
    found = [] if hasattr(command, "commands") else [str(callback.__module__).rsplit(".", 1)[1]]  # type: ignore[union-attr]
    for sub in getattr(command, "commands", {}).values():
        found += _modules_of(sub)
    return found


def test_the_listing_names_every_top_level_command_its_help_and_its_modules() -> None:
    built = typer.main.get_command(cli.app)
    listed = [
        (name, getattr(command, ORIGINAL, {}).get("help", command.help), tuple(dict.fromkeys(_modules_of(command))))
        for name, command in built.commands.items()  # type: ignore[attr-defined]
    ]
    assert sorted(listed) == sorted(TOP_LEVEL)
    assert {module for _, _, modules in TOP_LEVEL for module in modules} == set(MODULES)


@pytest.mark.parametrize(
    ("args", "command"),
    [
        (["--db", "x.db", "--lang", "zh", "balance", "NL001"], "balance"),
        (["--db=x.db", "--operator", "王", "board", "show"], "board"),
        (["--help"], None),
        ([], None),
        (["--", "award"], "award"),
        (["--version"], None),
    ],
)
def test_the_command_run_is_found_among_the_root_options(args: list[str], command: str | None) -> None:
    assert command_named(args) == command


def test_an_unknown_command_builds_every_module_so_the_nearest_are_suggested() -> None:
    assert modules_for(["balanse", "NL001"]) == MODULES
    assert modules_for(["import", "decisions", "x.csv"]) == ("register", "ledger")
    assert modules_for(["--help"]) == ()


def _installed(*args: str) -> subprocess.CompletedProcess[str]:
    code = "import sys, cli; sys.argv = ['moralbank', *sys.argv[1:]]; cli.main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=REPO, env=ENV)


def _whole(*args: str) -> subprocess.CompletedProcess[str]:
    code = "import sys, cli; cli.app(sys.argv[1:], prog_name='moralbank')"  # every module built first
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=REPO, env=ENV)


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("--lang", "zh", "--help"),
        (),
        ("balanse",),
        ("--lang", "zh", "bord", "show"),
        ("board", "--help"),
        ("--lang", "zh", "import", "--help"),
        ("balance", "--help"),
        ("report", "trend", "--months", "many"),
        ("award", "--help"),  # only the command run is built (moralbank.cli.only), its module's others stand in
        ("--lang", "zh", "award", "NL001"),
        ("import", "decisions"),
        ("statement", "--bogus"),
    ],
)
def test_a_run_that_builds_one_module_says_what_the_whole_tree_says(args: tuple[str, ...]) -> None:
    lazy, whole = _installed(*args), _whole(*args)
    assert (lazy.returncode, lazy.stdout, lazy.stderr) == (whole.returncode, whole.stdout, whole.stderr)
    assert "Traceback" not in lazy.stderr


def test_root_help_imports_no_command_module() -> None:
    code = (
        "import sys, cli\n"
        "sys.argv = ['moralbank', '--help']\n"
        "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('moralbank.cli.') and m.rsplit('.', 1)[1] in MODULES))"
    )
    found = subprocess.run(
        [sys.executable, "-c", f"MODULES = {MODULES!r}\n{code}"], capture_output=True, text=True, cwd=REPO, env=ENV
    )
    assert found.stdout.strip().splitlines()[-1] == "[]", found.stderr


def test_help_leaves_rich_markdown_until_something_makes_a_markdown() -> None:
    code = (
        "import sys, cli\n"
        "sys.argv = ['moralbank', '--help']\n"
        "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
        "before = 'markdown_it' in sys.modules\n"
        "from rich.markdown import Heading, Markdown\n"
        "made = Markdown('# title')\n"
        "print(before, type(made).__module__, Heading.__module__, 'markdown_it' in sys.modules)\n"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=ENV)
    assert found.stdout.strip().splitlines()[-1] == "False rich.markdown rich.markdown True", found.stderr


def test_a_path_option_is_coerced_as_typer_coerces_it_without_pydantic(tmp_path: Path) -> None:
    from typer._click import Context
    from typer._click.exceptions import BadParameter
    from typer._coercion import build_runtime_param

    from moralbank.cli.framework import _AsTyped

    app = typer.Typer()

    @app.command()
    def paths(
        plain: Annotated[Path, typer.Option("--plain")],
        strict: Annotated[Path, typer.Option("--strict", exists=True, dir_okay=False, resolve_path=True)],
    ) -> None:
        """Two paths, one with typer's checks."""

    command = typer.main.get_command(app)
    ctx = Context(command)
    (tmp_path / "a file").write_text("x")
    values = ["", "-", "~/x", "missing.csv", str(tmp_path), str(tmp_path / "a file"), str(tmp_path / "no" / "such")]
    for param in command.params:
        typers = build_runtime_param(param.type_descriptor)  # type: ignore[attr-defined]
        ours = _AsTyped(param.type_descriptor, lambda typers=typers: typers)  # type: ignore[attr-defined, misc]
        for value in values:
            said: list[object] = []
            for coercion in (ours.coerce, typers.coerce):
                try:
                    said.append(coercion(value, param=param, ctx=ctx))
                except BadParameter as exc:
                    said.append(("refused", exc.format_message()))
            assert said[0] == said[1] and type(said[0]) is type(said[1]), (param.name, value, said)


def test_a_write_through_the_installed_entry_point_leaves_the_ledger_in_its_one_file(tmp_path: Path) -> None:
    # The command closes its SQLite connections at exit, which checkpoints the WAL into the file:
    # a clerk who copies village.db alone (to the county, to a USB stick) has every record in it.
    db = tmp_path / "village.db"
    for args in (["init"], ["village", "add", "DZ", "--name", "东庄村", "--town", "于河街道", "--county", "潍城区"]):
        subprocess.run(
            [sys.executable, "-m", "cli", "--db", str(db), "--operator", "tester", *args],
            cwd=REPO, env=ENV, capture_output=True, check=True,
        )  # fmt: skip
        assert sorted(p.name for p in tmp_path.iterdir()) == ["village.db"], args
    copy = tmp_path / "copy" / "village.db"
    copy.parent.mkdir()
    copy.write_bytes(db.read_bytes())
    listed = subprocess.run(
        [sys.executable, "-m", "cli", "--db", str(copy), "village", "list"],
        cwd=REPO,
        env=ENV,
        capture_output=True,
        text=True,
    )
    assert listed.returncode == 0 and "DZ" in listed.stdout, listed.stderr
