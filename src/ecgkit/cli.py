"""The ``ecgkit`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ecgkit import __version__

__all__ = ["main"]


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``ecgkit`` command."""
    parser = argparse.ArgumentParser(
        prog="ecgkit", description="ECG beat detection, classification and explanation."
    )
    parser.add_argument("--version", action="version", version=f"ecgkit {__version__}")
    parser.add_subparsers(dest="command", metavar="COMMAND")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``ecgkit`` command; return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    return 0
