"""A library's or the system's complaint reaches the clerk in the clerk's language, keeping what helps."""

from __future__ import annotations

import sqlite3
import tomllib
from pathlib import Path

import pytest

from moralbank.errors import InputError, MoralBankError
from moralbank.messages import text
from moralbank.reasons import worded_reason
from tests.runner import Run, failed

_LATIN_SENTENCE = r"[A-Za-z]{3,} [A-Za-z]{2,}"


def toml_error(source: str) -> tomllib.TOMLDecodeError:
    with pytest.raises(tomllib.TOMLDecodeError) as caught:
        tomllib.loads(source)
    return caught.value


def test_a_toml_mistake_names_its_line_and_column_in_chinese() -> None:
    message = InputError("toml.invalid", path="标准.toml", reason=toml_error('title = "a"\ncode = \n')).message("zh")
    assert message == "标准.toml 不是有效的 TOML 文件：第 2 行第 8 列：" + text("reason.toml.value", "zh")
    english = InputError("toml.invalid", path="s.toml", reason=toml_error("[resolution\n")).message("en")
    assert english.startswith("s.toml is not valid TOML: line 1, column 12: ")


def test_a_file_that_cannot_be_written_says_why_in_chinese(tmp_path: Path) -> None:
    with pytest.raises(OSError) as caught:
        (tmp_path / "nodir" / "f.csv").open("w")
    message = MoralBankError("file.write_failed", path="nodir/f.csv", reason=caught.value).message("zh")
    assert message == "无法写入文件 nodir/f.csv：文件或文件夹不存在"
    assert (
        MoralBankError("file.write_failed", path="f", reason=caught.value)
        .message("en")
        .endswith("No such file or directory")
    )


def test_the_database_says_what_is_wrong_in_chinese() -> None:
    refused = RuntimeError('connection to server at "127.0.0.1", port 1 failed: Connection refused')
    assert worded_reason(refused, "zh") == text("reason.db.refused", "zh")
    missing = RuntimeError('FATAL:  database "county" does not exist')
    assert worded_reason(missing, "zh") == "服务器上没有数据库 county"
    assert worded_reason(sqlite3.OperationalError("database is locked"), "zh") == text("reason.db.locked", "zh")
    # Words no table knows are kept and marked as the system's, with personal numbers masked.
    odd = MoralBankError("db.unreachable", reason=RuntimeError("odd failure for 13912345678")).message("zh")
    assert odd.startswith("无法连接数据库：系统提示：odd failure") and "13912345678" not in odd


def test_a_bad_toml_file_through_the_command_line(run: Run, tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text("[resolution\n", encoding="utf-8")
    shown = failed(run("standard", "adopt", str(tmp_path / "bad.toml"), lang="zh"))
    assert shown.startswith("错误：bad.toml 不是有效的 TOML 文件：第 1 行第 12 列：")
    assert "Expected" not in shown and "at line" not in shown
