"""The sub-commands of packs: listing them, sealing, signing and checking one.

    govrules packs [--key PUBLIC.pem ...] [--format text|json]
    govrules pack seal PATH ...              write manifest.json (the digest of every file)
    govrules pack sign PATH --key PRIVATE.pem
    govrules pack verify PATH --key PUBLIC.pem
    govrules pack keygen NAME                 NAME.pem (private) and NAME.pub.pem

``pack verify`` exits 1 unless every file matches the manifest and the signature is the given
key's; ``packs`` shows each pack's origin, manifest digest and signature state.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from govrules.cli.arguments import EXIT_FAILED, EXIT_OK, Commands, UsageError, engine_for
from govrules.errors import PolicyLoadError
from govrules.packs.discovery import PACK_FILE, Pack, read_pack
from govrules.packs.manifest import MANIFEST_FILE, compute_manifest, write_manifest
from govrules.packs.signing import (
    SigningError,
    check_signature,
    generate_key_pair,
    read_private_key,
    read_public_key,
    read_signature,
    sign_digest,
    write_signature,
)

__all__ = ["register_pack", "register_packs"]


def register_packs(commands: Commands) -> None:
    command = commands.add_parser(
        "packs", help="list the packs loaded: id, version, origin, digest, signature"
    )
    command.add_argument(
        "--key",
        action="append",
        metavar="PUBLIC.pem",
        help="check signatures against this trusted public key; may be given more than once",
    )
    command.add_argument("--format", choices=("text", "json"), default="text")
    command.set_defaults(run=cmd_packs)


def cmd_packs(args: argparse.Namespace) -> int:
    engine = engine_for(args)
    keys = [_public_key(Path(path)) for path in args.key or []]
    rows = [_row(pack, keys) for pack in engine.packs.values()]
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    for row in rows:
        print(f"{row['id']} {row['version']}  {row['origin']}  {row['title_zh']}")
        print(f"    manifest  {row['manifest']}  ({row['sealed']})")
        print(f"    signature {row['signature']}")
    return EXIT_OK


def _row(pack: Pack, keys: list[Any]) -> dict[str, Any]:
    state = pack.signature_state
    if pack.signature is not None and keys and pack.digest is not None:
        reasons = [check_signature(pack.signature, pack.digest, key) for key in keys]
        state = (
            f"verified: signed by {pack.signature.key}"
            if None in reasons
            else f"NOT VERIFIED: {reasons[0]}"
        )
    return {**pack.to_dict(), "signature": state}


def register_pack(commands: Commands) -> None:
    command = commands.add_parser("pack", help="seal, sign or check a pack")
    actions = command.add_subparsers(dest="action", required=True)
    seal = actions.add_parser("seal", help="write the pack's manifest.json")
    seal.add_argument("paths", nargs="+", metavar="PATH")
    seal.set_defaults(run=cmd_seal)
    sign = actions.add_parser("sign", help="sign the pack's manifest (Ed25519)")
    sign.add_argument("path", metavar="PATH")
    sign.add_argument("--key", required=True, metavar="PRIVATE.pem")
    sign.set_defaults(run=cmd_sign)
    verify = actions.add_parser("verify", help="check the files and the signature")
    verify.add_argument("path", metavar="PATH")
    verify.add_argument("--key", required=True, metavar="PUBLIC.pem")
    verify.set_defaults(run=cmd_pack_verify)
    keygen = actions.add_parser("keygen", help="write a new Ed25519 key pair")
    keygen.add_argument("name", metavar="NAME", help="writes NAME.pem and NAME.pub.pem")
    keygen.set_defaults(run=cmd_keygen)


def _pack_root(path: str) -> Path:
    root = Path(path)
    if not (root / PACK_FILE).is_file():
        raise UsageError(f"'{path}' is not a pack folder (no {PACK_FILE})")
    return root


def cmd_seal(args: argparse.Namespace) -> int:
    for path in args.paths:
        root = _pack_root(path)
        pack = read_pack(root, "path", check_manifest=False)
        assert pack.model is not None
        manifest = compute_manifest(root, pack.model.id, pack.model.version)
        write_manifest(root, manifest)
        stale = pack.signature is not None and pack.signature.manifest != manifest.digest
        print(f"sealed {pack.id} {pack.version}: {len(manifest.files)} files, {manifest.digest}")
        if stale:
            print(f"  {root / 'manifest.sig'} signs another manifest: sign the pack again")
    return EXIT_OK


def _sealed(path: str) -> Pack:
    root = _pack_root(path)
    if not (root / MANIFEST_FILE).is_file():
        raise UsageError(f"{path} has no {MANIFEST_FILE}: run govrules pack seal {path} first")
    return read_pack(root, "path")  # refuses a file that differs from the manifest


def cmd_sign(args: argparse.Namespace) -> int:
    pack = _sealed(args.path)
    assert pack.digest is not None
    try:
        signature = sign_digest(pack.digest, read_private_key(Path(args.key)))
    except SigningError as error:
        raise UsageError(str(error)) from None
    write_signature(pack.root, signature)
    print(f"signed {pack.id} {pack.version} ({pack.digest}) with key {signature.key}")
    return EXIT_OK


def cmd_pack_verify(args: argparse.Namespace) -> int:
    key = _public_key(Path(args.key))
    try:
        pack = _sealed(args.path)
    except PolicyLoadError as error:
        print(f"NOT VERIFIED: {error.diagnostics[0].message}")
        return EXIT_FAILED
    assert pack.digest is not None
    try:
        signature = read_signature(pack.root)
    except SigningError as error:
        print(f"NOT VERIFIED: {error}")
        return EXIT_FAILED
    if signature is None:
        print(f"NOT VERIFIED: {pack.id} {pack.version} is not signed (no manifest.sig)")
        return EXIT_FAILED
    problem = check_signature(signature, pack.digest, key)
    if problem is not None:
        print(f"NOT VERIFIED: {pack.id} {pack.version}: {problem}")
        return EXIT_FAILED
    print(
        f"VERIFIED: {pack.id} {pack.version}, every file as in its manifest {pack.digest}, "
        f"signed by {signature.key}"
    )
    return EXIT_OK


def cmd_keygen(args: argparse.Namespace) -> int:
    private, public = Path(f"{args.name}.pem"), Path(f"{args.name}.pub.pem")
    try:
        key = generate_key_pair(private, public)
    except SigningError as error:
        raise UsageError(str(error)) from None
    print(f"wrote {private} (private: keep it secret) and {public} (public), key {key}")
    return EXIT_OK


def _public_key(path: Path) -> Any:
    try:
        return read_public_key(path)
    except SigningError as error:
        raise UsageError(str(error)) from None
