"""Ed25519 keys of the signing office and detached signatures over an export's manifest."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from moralbank.errors import InputError, MoralBankError

PRIVATE_NAME, PUBLIC_NAME = "moralbank_signing.key", "moralbank_signing.pub"
SIGNATURE_FORMAT = "moralbank-credit-export/1"


class SignatureProblem(MoralBankError):
    """An export and its signature do not match: the message names what is wrong."""


@dataclass(frozen=True)
class KeyPair:
    """Where a new key pair was written, and the key's fingerprint."""

    private: Path
    public: Path
    key_id: str


@dataclass(frozen=True)
class Manifest:
    """What a signature vouches for: the file's hash and rows, the date, the bank, the ledger."""

    file: str
    file_format: str
    sha256: str
    rows: int
    as_of: str
    bank: str
    full_id: bool
    policy_hash: str
    checkpoints: list[dict[str, Any]]
    signed_at: str
    key_id: str
    # Added after the first release: a signature made before it has none, and its signed bytes
    # never held the field (signed_bytes leaves a None out, so those signatures still verify).
    valid_until: str | None = None


def key_id(public: Ed25519PublicKey) -> str:
    """The fingerprint of a public key: SHA-256 of its 32 raw bytes, in hex."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def _write_new(path: Path, data: bytes, mode: int) -> None:
    # O_EXCL: never overwrite a key; the mode is set as the file is created, never widened.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(data)


def generate_keys(folder: Path) -> KeyPair:
    """A new Ed25519 key pair in ``folder``: the private key readable by its owner only (0600)."""
    private_path, public_path = folder / PRIVATE_NAME, folder / PUBLIC_NAME
    for path in (private_path, public_path):
        if path.exists():
            raise InputError("keys.exist", path=str(path))
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write_new(private_path, pem, 0o600)
        _write_new(public_path, public_pem, 0o644)
    except OSError as exc:
        raise MoralBankError("file.write_failed", path=str(folder), reason=exc) from exc
    return KeyPair(private_path, public_path, key_id(private.public_key()))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError("file.not_found", path=str(path)) from exc


def refuse_open_key(path: Path) -> None:
    """Refuse a private key that its group or others may read: whoever can read it can sign as the office."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise InputError("file.not_found", path=str(path)) from exc
    if os.name == "posix" and mode & 0o077:
        raise InputError("keys.too_open", path=str(path), mode=f"{mode & 0o777:o}")


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """The signing key in a PEM file, or an error saying the file holds no Ed25519 private key.

    A private key file readable by its group or others is refused, naming its mode (``chmod 600``).
    """
    try:
        key = serialization.load_pem_private_key(_read(path), password=None)
    except (ValueError, TypeError) as exc:
        raise InputError("keys.not_private", path=str(path)) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError("keys.not_private", path=str(path))
    refuse_open_key(path)
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """The office's public key in a PEM file, or an error saying the file holds none."""
    try:
        key = serialization.load_pem_public_key(_read(path))
    except (ValueError, TypeError) as exc:
        raise InputError("keys.not_public", path=str(path)) from exc
    if not isinstance(key, Ed25519PublicKey):
        raise InputError("keys.not_public", path=str(path))
    return key


def _fields(manifest: Manifest) -> dict[str, Any]:
    # Optional fields added later are left out when empty, so older signatures keep their bytes.
    return {k: v for k, v in asdict(manifest).items() if v is not None or k not in _OPTIONAL}


_OPTIONAL = frozenset({"valid_until"})


def signed_bytes(manifest: Manifest) -> bytes:
    """The exact bytes signed: the manifest as sorted-key compact UTF-8 JSON, with its format."""
    fields = {"format": SIGNATURE_FORMAT, **_fields(manifest)}
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def sign(manifest: Manifest, private: Ed25519PrivateKey) -> str:
    """The signature file's text: the manifest and its base64 Ed25519 signature, as JSON."""
    signature = base64.b64encode(private.sign(signed_bytes(manifest))).decode()
    body = {"format": SIGNATURE_FORMAT, **_fields(manifest), "signature": signature}
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def read_signature(path: Path) -> tuple[Manifest, bytes]:
    """The manifest and raw signature in a signature file, or a problem naming the file."""
    try:
        body = json.loads(_read(path).decode("utf-8"))
        if body.pop("format") != SIGNATURE_FORMAT:
            raise ValueError("format")
        signature = base64.b64decode(body.pop("signature"), validate=True)
        manifest = Manifest(**body)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise SignatureProblem("credit_verify.signature_unreadable", path=str(path)) from exc
    return manifest, signature


def check_signature(manifest: Manifest, signature: bytes, public: Ed25519PublicKey) -> None:
    """Refuse a signature made by another key, or one that does not match the manifest."""
    given = key_id(public)
    try:
        public.verify(signature, signed_bytes(manifest))
    except InvalidSignature:
        if manifest.key_id != given:
            raise SignatureProblem("credit_verify.wrong_key", signed=manifest.key_id[:16], given=given[:16]) from None
        raise SignatureProblem("credit_verify.bad_signature") from None
