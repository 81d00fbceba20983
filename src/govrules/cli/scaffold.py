"""The sub-command that starts a new pack repository.

    govrules new pack ID [--dir DIR] [--requires-national]

writes a pip-installable repository (default folder: ``govrules-pack-<id with dashes>``) whose
pack is sealed and whose example policy passes its tests, then prints the files and what to
run next. A bad id, or a folder that exists and is not empty, exits 2 with nothing written.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from govrules.authoring.scaffold import ScaffoldError, distribution_name, scaffold_pack
from govrules.cli.arguments import EXIT_OK, Commands, UsageError

__all__ = ["register_new"]


def register_new(commands: Commands) -> None:
    command = commands.add_parser("new", help="start a new pack repository")
    kinds = command.add_subparsers(dest="kind", required=True)
    pack = kinds.add_parser(
        "pack", help="write a pip-installable pack repository with an example policy"
    )
    pack.add_argument("pack_id", metavar="ID", help="the pack id, e.g. cn.zhejiang.huzhou.anji")
    pack.add_argument(
        "--dir",
        metavar="DIR",
        help="the folder to write (new or empty); default: govrules-pack-<id with dashes>",
    )
    pack.add_argument(
        "--requires-national",
        action="store_true",
        help="the pack requires cn.national, so its policies may cite the national laws",
    )
    pack.set_defaults(run=cmd_new_pack)


def cmd_new_pack(args: argparse.Namespace) -> int:
    target = Path(args.dir) if args.dir else Path(distribution_name(args.pack_id))
    try:
        written = scaffold_pack(args.pack_id, target, requires_national=args.requires_national)
    except ScaffoldError as error:
        raise UsageError(str(error)) from None
    pack = f"src/{written.package}"
    print(f"wrote pack {written.pack_id} {written.version} (sealed) into {target}/:")
    for name in written.files:
        print(f"  {name}")
    print(f"manifest {written.digest}")
    print(
        "\nnext:\n"
        f"  cd {target}\n"
        "  pip install .                 # the pack, installed like any package\n"
        f"  govrules list                 # shows {written.policy_id}\n"
        "  pip install pytest && pytest  # runs the tests written in the policy\n"
        f"then replace the example source and policy, and after each change:\n"
        f"  govrules validate {pack}\n"
        f"  govrules pack seal {pack}"
    )
    return EXIT_OK
