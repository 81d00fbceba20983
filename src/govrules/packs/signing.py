"""Signing a pack's manifest with Ed25519, and checking a signature against a public key.

The signature, ``manifest.sig`` beside the manifest, signs the pack's manifest digest (the
text ``sha256:…``, UTF-8): one signature covers every file. Keys are PEM files (PKCS#8 private,
SubjectPublicKeyInfo public), as ``openssl genpkey -algorithm ed25519`` writes them or
``govrules pack keygen``. Signing needs the ``cryptography`` package (``govrules[sign]``).

    write_signature(root, sign_digest(manifest.digest, read_private_key(key_path)))
    check_signature(read_signature(root), manifest.digest, read_public_key(pub_path))
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govrules.records import record

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

__all__ = [
    "SIGNATURE_FILE",
    "Signature",
    "SigningError",
    "check_signature",
    "generate_key_pair",
    "key_id",
    "read_private_key",
    "read_public_key",
    "read_signature",
    "sign_digest",
    "write_signature",
]

SIGNATURE_FILE = "manifest.sig"
SIGNATURE_FORMAT = "govrules-pack-signature/1"


class SigningError(ValueError):
    """A key, a signature file or a signature that is not what it should be."""


@record
class Signature:
    key: str  # the key id of the public key that checks it
    manifest: str  # the manifest digest it signs
    value: bytes

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": SIGNATURE_FORMAT,
            "algorithm": "ed25519",
            "key": self.key,
            "manifest": self.manifest,
            "signature": base64.b64encode(self.value).decode("ascii"),
        }


def _crypto() -> Any:
    try:
        from cryptography.hazmat.primitives import serialization
    except ImportError:
        raise SigningError(
            "signing and checking packs needs the cryptography package: "
            "pip install 'govrules[sign]'"
        ) from None
    return serialization


def key_id(public: Ed25519PublicKey) -> str:
    """A short, stable name of a public key: ``ed25519:`` and 16 hex digits of its sha256."""
    serialization = _crypto()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "ed25519:" + hashlib.sha256(raw).hexdigest()[:16]


def read_private_key(path: Path) -> Ed25519PrivateKey:
    serialization = _crypto()
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise SigningError(f"{path}: not an unencrypted PEM private key ({error})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError(f"{path}: a {type(key).__name__}, not an Ed25519 private key")
    return key


def read_public_key(path: Path) -> Ed25519PublicKey:
    serialization = _crypto()
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

    data = path.read_bytes() if path.is_file() else b""
    try:
        key: Any = serialization.load_pem_public_key(data)
    except ValueError:
        try:  # a private key file also gives its public key
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError):
            raise SigningError(f"{path}: not a PEM Ed25519 public key") from None
    if isinstance(key, Ed25519PrivateKey):
        key = key.public_key()
    if not isinstance(key, Ed25519PublicKey):
        raise SigningError(f"{path}: a {type(key).__name__}, not an Ed25519 public key")
    return key


def generate_key_pair(private_path: Path, public_path: Path) -> str:
    """Write a new key pair (the private key readable by its owner only); its key id."""
    serialization = _crypto()
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    for path in (private_path, public_path):
        if path.exists():
            raise SigningError(f"{path} exists: not overwriting a key")
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    private_path.touch(mode=0o600)
    private_path.write_bytes(pem)
    public_path.write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return key_id(private.public_key())


def sign_digest(manifest_digest: str, private: Ed25519PrivateKey) -> Signature:
    return Signature(
        key_id(private.public_key()),
        manifest_digest,
        private.sign(manifest_digest.encode("utf-8")),
    )


def write_signature(root: Path, signature: Signature) -> Path:
    path = root / SIGNATURE_FILE
    path.write_text(json.dumps(signature.to_dict(), indent=2) + "\n", encoding="utf-8")
    return path


def read_signature(root: Path) -> Signature | None:
    """The pack's signature, ``None`` when it has none; ``SigningError`` when unreadable."""
    path = root / SIGNATURE_FILE
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != SIGNATURE_FORMAT or data.get("algorithm") != "ed25519":
            raise ValueError(f"not a {SIGNATURE_FORMAT} Ed25519 signature")
        value = base64.b64decode(data["signature"], validate=True)
        return Signature(str(data["key"]), str(data["manifest"]), value)
    except (OSError, ValueError, KeyError, AttributeError, binascii.Error) as error:
        raise SigningError(f"{SIGNATURE_FILE} cannot be read: {error}") from None


def check_signature(
    signature: Signature, manifest_digest: str, public: Ed25519PublicKey
) -> str | None:
    """Why the signature does not prove that the key's holder signed this manifest; ``None``
    when it does."""
    from cryptography.exceptions import InvalidSignature

    expected = key_id(public)
    if signature.manifest != manifest_digest:
        return (
            f"the signature is over manifest {signature.manifest}, "
            f"the pack's manifest is {manifest_digest}"
        )
    try:
        public.verify(signature.value, manifest_digest.encode("utf-8"))
    except InvalidSignature:
        if signature.key != expected:
            return f"signed by key {signature.key}, not by the given key {expected}"
        return "the signature does not match the manifest under the given key"
    return None
