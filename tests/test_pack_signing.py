"""Signing packs: `govrules pack keygen`, `pack sign`, `pack verify` and `packs --key`, with
real Ed25519 keys, checked against the files and signatures as an outside tool would read them."""

from __future__ import annotations

import base64
import hashlib
import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from test_packs import edit, write_pack

from govrules import Engine
from govrules.cli.main import main
from govrules.errors import PolicyLoadError


def _key_id(public_pem: Path) -> str:
    """The key id as documented: 'ed25519:' and 16 hex digits of sha256 of the raw key."""
    public = serialization.load_pem_public_key(public_pem.read_bytes())
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "ed25519:" + hashlib.sha256(raw).hexdigest()[:16]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Path]:
    """Alice's key pair written by `govrules pack keygen`, Bob's by cryptography directly (as
    `openssl genpkey -algorithm ed25519` would), both as PEM files."""
    code, out, _ = _run(capsys, "pack", "keygen", str(tmp_path / "alice"))
    assert code == 0
    alice_pub = tmp_path / "alice.pub.pem"
    assert f"key {_key_id(alice_pub)}" in out and "keep it secret" in out
    private = Ed25519PrivateKey.generate()
    bob = tmp_path / "bob.pem"
    bob.write_bytes(private.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    (tmp_path / "bob.pub.pem").write_bytes(private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return {"alice": tmp_path / "alice.pem", "alice.pub": alice_pub,
            "bob": bob, "bob.pub": tmp_path / "bob.pub.pem"}


@pytest.fixture
def sealed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
           capsys: pytest.CaptureFixture[str]) -> Path:
    monkeypatch.chdir(tmp_path)
    pack = write_pack(tmp_path / "tiny")
    assert main(["pack", "seal", str(pack)]) == 0
    capsys.readouterr()
    return pack


def test_keygen_writes_a_private_key_only_its_owner_reads_and_never_overwrites(
        tmp_path: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    private = serialization.load_pem_private_key(keys["alice"].read_bytes(), password=None)
    assert isinstance(private, Ed25519PrivateKey)
    assert stat.S_IMODE(keys["alice"].stat().st_mode) == 0o600
    before = keys["alice"].read_bytes(), keys["alice.pub"].read_bytes()
    code, out, err = _run(capsys, "pack", "keygen", str(tmp_path / "alice"))
    assert code == 2 and out == ""
    assert "alice.pem exists: not overwriting a key" in err
    assert (keys["alice"].read_bytes(), keys["alice.pub"].read_bytes()) == before
    # a public key left behind alone is not overwritten either
    keys["bob"].unlink()
    code, _, err = _run(capsys, "pack", "keygen", str(tmp_path / "bob"))
    assert code == 2 and "bob.pub.pem exists" in err and not keys["bob"].exists()


def test_a_signed_pack_verifies_with_its_key_only(
        sealed: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    alice, bob = _key_id(keys["alice.pub"]), _key_id(keys["bob.pub"])
    code, out, _ = _run(capsys, "pack", "sign", str(sealed), "--key", str(keys["alice"]))
    assert code == 0 and f"with key {alice}" in out
    digest = Engine.from_directory(sealed).packs["test.tiny"].digest
    assert digest is not None
    # manifest.sig as an outside tool reads it: the key's signature over the manifest digest
    signature = json.loads((sealed / "manifest.sig").read_text(encoding="utf-8"))
    assert signature["key"] == alice and signature["manifest"] == digest
    public = serialization.load_pem_public_key(keys["alice.pub"].read_bytes())
    assert isinstance(public, Ed25519PublicKey)
    public.verify(base64.b64decode(signature["signature"]), digest.encode("utf-8"))

    code, out, _ = _run(capsys, "pack", "verify", str(sealed), "--key", str(keys["alice.pub"]))
    assert code == 0 and out.startswith("VERIFIED: test.tiny 1.0.0")
    assert digest in out and f"signed by {alice}" in out
    # a private key file stands for its public key
    assert main(["pack", "verify", str(sealed), "--key", str(keys["alice"])]) == 0
    capsys.readouterr()

    code, out, _ = _run(capsys, "pack", "verify", str(sealed), "--key", str(keys["bob.pub"]))
    assert code == 1 and out.startswith("NOT VERIFIED: test.tiny 1.0.0")
    assert f"signed by key {alice}, not by the given key {bob}" in out


def test_a_pack_signed_again_by_another_key_no_longer_verifies_with_the_first(
        sealed: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pack", "sign", str(sealed), "--key", str(keys["alice"])]) == 0
    assert main(["pack", "sign", str(sealed), "--key", str(keys["bob"])]) == 0
    capsys.readouterr()
    code, out, _ = _run(capsys, "pack", "verify", str(sealed), "--key", str(keys["alice.pub"]))
    assert code == 1 and "NOT VERIFIED" in out
    assert f"signed by key {_key_id(keys['bob.pub'])}" in out
    assert main(["pack", "verify", str(sealed), "--key", str(keys["bob.pub"])]) == 0


def test_a_file_changed_after_signing_is_named(
        sealed: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pack", "sign", str(sealed), "--key", str(keys["alice"])]) == 0
    edit(sealed / "sources" / "test.tiny.rules.yaml", "五十元", "六十元")
    capsys.readouterr()
    code, out, _ = _run(capsys, "pack", "verify", str(sealed), "--key", str(keys["alice.pub"]))
    assert code == 1 and out.startswith("NOT VERIFIED")
    assert "sources/test.tiny.rules.yaml differs from the manifest" in out
    # sealed again, the files match a new manifest that the old signature does not sign
    code, out, _ = _run(capsys, "pack", "seal", str(sealed))
    assert code == 0 and "signs another manifest: sign the pack again" in out
    code, out, _ = _run(capsys, "pack", "verify", str(sealed), "--key", str(keys["alice.pub"]))
    assert code == 1 and "the signature is over manifest sha256:" in out
    assert main(["pack", "sign", str(sealed), "--key", str(keys["alice"])]) == 0
    assert main(["pack", "verify", str(sealed), "--key", str(keys["alice.pub"])]) == 0


def test_verify_says_why_a_pack_cannot_be_verified(
        sealed: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "pack", "verify", str(sealed), "--key", str(keys["alice.pub"]))
    assert code == 1 and "test.tiny 1.0.0 is not signed (no manifest.sig)" in out
    (sealed / "manifest.json").unlink()
    code, _, err = _run(capsys, "pack", "sign", str(sealed), "--key", str(keys["alice"]))
    assert code == 2 and "has no manifest.json: run govrules pack seal" in err
    code, _, err = _run(capsys, "pack", "verify", str(sealed.parent), "--key",
                        str(keys["alice.pub"]))
    assert code == 2 and "is not a pack folder (no pack.yaml)" in err
    not_a_key = sealed / "pack.yaml"
    code, _, err = _run(capsys, "pack", "verify", str(sealed), "--key", str(not_a_key))
    assert code == 2 and "not a PEM Ed25519 public key" in err


def test_an_unreadable_signature_refuses_the_pack(
        sealed: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pack", "sign", str(sealed), "--key", str(keys["alice"])]) == 0
    signature = json.loads((sealed / "manifest.sig").read_text(encoding="utf-8"))
    signature["signature"] = "not base64!"
    (sealed / "manifest.sig").write_text(json.dumps(signature), encoding="utf-8")
    with pytest.raises(PolicyLoadError) as caught:
        Engine.from_directory(sealed)
    assert [d.code for d in caught.value.diagnostics] == ["pack-signature"]
    assert "manifest.sig cannot be read" in caught.value.diagnostics[0].message


def test_packs_shows_a_signature_checked_against_the_trusted_keys(
        sealed: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    alice, bob = _key_id(keys["alice.pub"]), _key_id(keys["bob.pub"])
    assert main(["pack", "sign", str(sealed), "--key", str(keys["alice"])]) == 0
    capsys.readouterr()
    code, out, _ = _run(capsys, "--policies", "tiny", "packs")
    assert code == 0 and f"signature signed by {alice} (not checked)" in out
    assert "signature unsigned" in out  # cn.national, required by the pack
    code, out, _ = _run(capsys, "--policies", "tiny", "packs", "--key", str(keys["alice.pub"]))
    assert code == 0 and f"signature verified: signed by {alice}" in out
    code, out, _ = _run(capsys, "--policies", "tiny", "packs", "--key", str(keys["bob.pub"]),
                        "--format", "json")
    rows = {row["id"]: row for row in json.loads(out)}
    assert rows["test.tiny"]["signature"] == (
        f"NOT VERIFIED: signed by key {alice}, not by the given key {bob}")
    assert rows["cn.national"]["signature"] == "unsigned"
    # any one of several trusted keys will do
    code, out, _ = _run(capsys, "--policies", "tiny", "packs", "--key", str(keys["bob.pub"]),
                        "--key", str(keys["alice.pub"]))
    assert f"signature verified: signed by {alice}" in out
    # a pack sealed again after signing: its signature is over another manifest
    edit(sealed / "examples" / "three_days.yaml", "days: 3", "days: 4")
    assert main(["pack", "seal", str(sealed)]) == 0
    capsys.readouterr()
    code, out, _ = _run(capsys, "--policies", "tiny", "packs")
    assert "signature stale: signs another manifest (sign the pack again)" in out
    code, out, _ = _run(capsys, "--policies", "tiny", "packs", "--key", str(keys["alice.pub"]))
    assert "signature NOT VERIFIED: the signature is over manifest" in out
