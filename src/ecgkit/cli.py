"""The ``ecgkit`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ecgkit import __version__

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``ecgkit`` command."""
    from ecgkit.signal import PEAK_METHODS

    parser = argparse.ArgumentParser(
        prog="ecgkit", description="ECG beat detection, classification and explanation."
    )
    parser.add_argument("--version", action="version", version=f"ecgkit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    detect = commands.add_parser(
        "detect",
        help="detect R peaks and score them against reference annotations (EC57)",
        description="Detect R peaks in MIT-BIH-style records and score them beat by beat "
        "against the reference annotations (ANSI/AAMI EC57, 150 ms window). Without "
        "--data-dir it uses the MIT-BIH excerpt bundled with ecgkit.",
    )
    detect.add_argument("records", nargs="*", help="record ids (default: all)")
    detect.add_argument("--data-dir", type=Path, help="folder of WFDB records (.hea/.dat/.atr)")
    detect.add_argument("--method", default="ecgkit", choices=PEAK_METHODS)
    detect.add_argument(
        "--all-leads", action="store_true", help="fuse every lead instead of using the first"
    )
    return parser


def _records_to_score(args: argparse.Namespace, parser: argparse.ArgumentParser) -> list[str]:
    from ecgkit.data import EXAMPLE_RECORDS

    if args.data_dir is None:
        available = list(EXAMPLE_RECORDS)
    else:
        if not args.data_dir.is_dir():
            parser.error(f"--data-dir {args.data_dir} is not a folder")
        available = sorted(p.stem for p in args.data_dir.glob("*.hea"))
        if not available:
            parser.error(f"--data-dir {args.data_dir} holds no WFDB header (.hea)")
    unknown = [r for r in args.records if r not in available]
    if unknown:
        parser.error(f"unknown record(s) {', '.join(unknown)}; available: {' '.join(available)}")
    return list(args.records) or available


def _detect(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ecgkit.data import BEAT_SYMBOLS, load_example, read_annotations, read_record
    from ecgkit.signal import detect_r_peaks, match_peaks

    records = _records_to_score(args, parser)
    source = str(args.data_dir) if args.data_dir else "bundled MIT-BIH excerpt (5 min, lead 1)"
    print(f"ecgkit detect: method {args.method}, {len(records)} record(s) from {source}")
    print(f"{'record':>8} {'beats':>6} {'TP':>6} {'FP':>5} {'FN':>5} {'Se %':>7} {'+P %':>7}")
    tp = fp = fn = 0
    for record_id in records:
        if args.data_dir is None:
            record, annotations = load_example(record_id)
        else:
            record = read_record(args.data_dir / record_id)
            annotations = read_annotations(args.data_dir / record_id)
        signal = record.leads_first if args.all_leads else record.leads_first[0]
        peaks = detect_r_peaks(signal, record.fs, method=args.method)
        reference = annotations.select(BEAT_SYMBOLS).sample
        m = match_peaks(peaks, reference, record.fs)
        tp, fp, fn = tp + m.tp, fp + m.fp, fn + m.fn
        print(
            f"{record_id:>8} {reference.size:>6} {m.tp:>6} {m.fp:>5} {m.fn:>5} "
            f"{100 * m.sensitivity:>7.2f} {100 * m.positive_predictivity:>7.2f}"
        )
    se = 100 * tp / max(tp + fn, 1)
    ppv = 100 * tp / max(tp + fp, 1)
    print(f"{'total':>8} {tp + fn:>6} {tp:>6} {fp:>5} {fn:>5} {se:>7.2f} {ppv:>7.2f}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``ecgkit`` command; return its exit code (2 for bad arguments)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    np.seterr(all="raise")
    return _detect(args, parser)


if __name__ == "__main__":
    sys.exit(main())
