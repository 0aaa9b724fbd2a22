"""Checkpoints that leave the database: signed checkpoint files, and every form ``verify --checkpoint`` reads.

A checkpoint is the head of every chain (``Head``: each village's ledger and stock chain, and
whatever chains later releases add). Kept outside the database (a signed monthly file, a bank
list's signature, a published board), it catches a chain re-hashed from a forged entry onwards:
the forger cannot change the copies already handed out.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import MISSING, asdict, dataclass, fields
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from moralbank.domain.chain import Head
from moralbank.errors import InputError, MoralBankError
from moralbank.services.signing import (
    SIGNATURE_FORMAT,
    SignatureProblem,
    check_signature,
    key_id,
    load_public_key,
    read_signature,
)

CHECKPOINT_FORMAT = "moralbank-checkpoint/1"
_SIGNED_FIELDS = ("format", "made_at", "key_id", "heads")


class ShapeProblem(MoralBankError, ValueError):
    """What is wrong with a checkpoint file's content: the reason of its ``checkpoint.invalid``, worded in the user's language."""


@dataclass(frozen=True)
class Loaded:
    """The heads a checkpoint file holds, what kind of file it was, and the key that signed it (if any)."""

    heads: list[Head]
    form: str  # "plain", "signed", "bank_list" or "board"
    key_id: str | None = None


def head_from(data: Any) -> Head:
    """A ``Head`` from a saved mapping: fields it lacks (added by later releases) take their defaults.

    Fields are read generically from ``Head`` itself, so chains added to it later flow in and
    out of every checkpoint file without this code changing. Unknown keys are ignored.
    """
    if not isinstance(data, dict):
        raise ShapeProblem("checkpoint.not_an_object")
    values: dict[str, Any] = {}
    for field in fields(Head):
        if field.name in data:
            raw = data[field.name]
            values[field.name] = int(raw) if field.type in ("int", int) else str(raw)
        elif field.default is MISSING:
            raise ShapeProblem("checkpoint.missing_field", field=repr(field.name))
    return Head(**values)


def _canonical(body: dict[str, Any]) -> bytes:
    signed = {name: body[name] for name in _SIGNED_FIELDS}
    return json.dumps(signed, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def signed_checkpoint(heads: list[Head], private: Ed25519PrivateKey, *, at: str) -> str:
    """The text of a signed checkpoint file: every head, when it was made, the key and the signature."""
    body: dict[str, Any] = {
        "format": CHECKPOINT_FORMAT,
        "made_at": at,
        "key_id": key_id(private.public_key()),
        "heads": [asdict(head) for head in heads],
    }
    body["signature"] = base64.b64encode(private.sign(_canonical(body))).decode()
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def write_signed(path: Path, content: str) -> None:
    """Write a signed checkpoint under a temporary name, then give it its name (never half a file)."""
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_text(content, encoding="utf-8")
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise MoralBankError("file.write_failed", path=str(path), reason=exc) from exc


def _needs_key(path: Path, public_key: Path | None) -> Path:
    if public_key is None:
        raise InputError("checkpoint.needs_key", path=str(path))
    return public_key


def _signed(path: Path, body: dict[str, Any], public_key: Path | None) -> Loaded:
    public = load_public_key(_needs_key(path, public_key))
    try:
        signature = base64.b64decode(str(body["signature"]), validate=True)
        canonical = _canonical(body)
        heads = [head_from(item) for item in body["heads"]]
    except KeyError as exc:
        raise MoralBankError("checkpoint.invalid", path=str(path), reason=_missing(exc)) from exc
    except (TypeError, ValueError) as exc:
        raise MoralBankError("checkpoint.invalid", path=str(path), reason=exc) from exc
    try:
        public.verify(signature, canonical)
    except InvalidSignature:
        if body.get("key_id") != key_id(public):
            raise SignatureProblem(
                "checkpoint.wrong_key", path=str(path), signed=str(body.get("key_id"))[:16], given=key_id(public)[:16]
            ) from None
        raise SignatureProblem("checkpoint.bad_signature", path=str(path)) from None
    return Loaded(heads, "signed", str(body["key_id"]))


def _bank_list(path: Path, public_key: Path | None) -> Loaded:
    public = load_public_key(_needs_key(path, public_key))
    manifest, raw = read_signature(path)
    check_signature(manifest, raw, public)
    try:
        heads = [head_from(item) for item in manifest.checkpoints]
    except (TypeError, ValueError) as exc:
        raise MoralBankError("checkpoint.invalid", path=str(path), reason=exc) from exc
    return Loaded(heads, "bank_list", manifest.key_id)


def load_checkpoints(path: Path, public_key: Path | None = None) -> Loaded:
    """The heads in a checkpoint file of any form ``verify --checkpoint`` accepts.

    A signed checkpoint (``checkpoint --sign``) and a bank list's ``.sig`` need the office's
    public key, and are refused when their signature does not verify: a checkpoint anyone could
    have written proves nothing. The plain JSON of ``checkpoint -f json`` (or a board's QR code)
    and a published board's JSON (``board show -f json``) carry no signature.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MoralBankError("checkpoint.invalid", path=str(path), reason=exc) from exc
    except ValueError as exc:  # not JSON, or not UTF-8
        raise MoralBankError("checkpoint.invalid", path=str(path), reason=exc) from exc
    if isinstance(data, dict) and data.get("format") == CHECKPOINT_FORMAT:
        return _signed(path, data, public_key)
    if isinstance(data, dict) and data.get("format") == SIGNATURE_FORMAT:
        return _bank_list(path, public_key)
    try:
        if isinstance(data, dict) and "checkpoint" in data:  # a board: one village's head, or a county's list
            marks = data["checkpoint"]
            return Loaded([head_from(m) for m in (marks if isinstance(marks, list) else [marks])], "board")
        if isinstance(data, list):
            return Loaded([head_from(item) for item in data], "plain")
    except (TypeError, ValueError) as exc:
        raise MoralBankError("checkpoint.invalid", path=str(path), reason=exc) from exc
    raise MoralBankError("checkpoint.invalid", path=str(path), reason=ShapeProblem("checkpoint.not_recognised"))


def _missing(exc: KeyError) -> ShapeProblem:
    return ShapeProblem("checkpoint.missing_field", field=repr(exc.args[0]) if exc.args else "?")
