"""A hostile user: hundreds of bad inputs to ecgkit's API and CLI, every outcome classified.

The cases (``_hostile_cases.py``) are generated systematically and seeded:

- signal: every function of ``ecgkit.signal`` given bad signals (NaN, inf, empty, 0-d,
  3-d, str, bool, complex, object, ragged ...), bad sampling rates (0, -1, NaN, inf, "360",
  True, None, 1e12, 1e-6 ...), bad R peaks (negative, beyond the signal, fractional,
  unsorted, duplicated, 2-d, str ...), absurd parameters (cut-offs at or above Nyquist,
  windows and tolerances of 1e9 or -1, half windows of 1e9 beats ...) and edge-valid inputs
  with exact answers (flat lines give no beat, gain and offset change no beat, two beats
  give two peaks, a steady rhythm is not AF ...);
- readers: 100 seeded byte-flipped or truncated copies of a WFDB record written from the
  bundled excerpt (.hea, .dat, .atr), and broken CSV, NPY, NPZ and EDF files and paths;
- gradcam: GradCAM, GradCAM++ and Saliency given NaN, wrong shapes and dtypes, bad
  targets, options and extra inputs;
- train-config: TrainConfig given absurd values; a config it accepts must survive a tiny
  one-epoch fit (or stop with the documented NonFiniteLossError, or be refused at fit
  time by a clean error naming the field);
- cli: about 30 ``ecgkit`` command lines (missing, garbage and empty files, folders for
  files, bad --fs, --leads, --device, --seed, --out on an existing file, explain --beats
  100000 ...), some on one tiny run folder that ``ecgkit train --epochs 1`` makes first.

Each case expects "error", "result" or "either", and ends in one of five outcomes:

- clean error: ValueError, TypeError, OSError (FileNotFoundError ...) or an ecgkit error
  class, whose message is one line and names the argument or the file (one of the words
  the case lists). For the CLI: exit code 2, no traceback, and one ``ecgkit ...: error:``
  line on stderr (argparse's usage block above its error line is allowed and counted).
  A case that expected a result and got a clean error counts here (an acceptable refusal;
  these are listed as information).
- correct result: it returned and the case's validator found the result right (shapes,
  ranges, sortedness, finiteness, exact answers where known).
- silent wrong: it returned where an error was expected, or the validator found the result
  wrong.
- raw crash: any other exception (IndexError, KeyError, AttributeError, RuntimeError from
  torch, EOFError ...), a ValueError or TypeError whose message names nothing the user
  passed (numpy's or Python's own), a multi-line message, a killed process; for the CLI
  any other exit code, a traceback, or more than one error line.
- unbounded: over the time limit (20 s a call, 60-120 s a command) or over the memory
  limit (MemoryError with the address space capped at the harness's size + 2.5 GiB).

Every API case runs in a forked child (so a hang or a memory blow-up is contained and
killed), every CLI case in its own ``ecgkit`` process. The table gives the counts per area
and overall; every non-ok case (silent wrong, raw crash, unbounded) is listed with its
exception or the validator's complaint. Writes results/hostile.json.

    python benchmarks/bench_hostile.py

``--areas`` runs some areas only, ``--wfdb-variants`` sets the number of corrupted WFDB
records (default 100). Takes about 3-4 minutes on 2 busy CPU cores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import select
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from _common import environment, write_json
from _hostile_cases import (
    Case,
    cli_cases,
    gradcam_cases,
    names_in,
    reader_cases,
    signal_cases,
    train_config_cases,
)

AREAS = ("signal", "readers", "gradcam", "train-config", "cli")
OUTCOMES = ("clean error", "correct result", "silent wrong", "raw crash", "unbounded")
NOT_OK = ("silent wrong", "raw crash", "unbounded")
MEMORY_HEADROOM = int(2.5 * 2**30)


def _describe(value: Any) -> str:
    shape = getattr(value, "shape", None)
    if shape is not None:
        return f"{type(value).__name__} {getattr(value, 'dtype', '')} {tuple(shape)}"
    return f"{type(value).__name__} {' '.join(repr(value).split())[:60]}"


def _classify_error(case: Case, error: BaseException) -> tuple[str, str]:
    message = str(error)
    lines = message.strip().splitlines()
    detail = f"{type(error).__name__}: {lines[0][:300] if lines else ''}"
    if isinstance(error, MemoryError):
        return "unbounded", f"{type(error).__name__} (over the memory limit)"
    clean_type = isinstance(error, (ValueError, TypeError, OSError)) or type(
        error
    ).__module__.startswith("ecgkit")
    if not clean_type:
        return "raw crash", detail
    if len(lines) > 1:
        return "raw crash", f"{detail} [message spans {len(lines)} lines]"
    if not names_in(message, case.names):
        return "raw crash", f"{detail} [names none of {', '.join(case.names)}]"
    return "clean error", detail


def _evaluate(case: Case) -> dict[str, Any]:
    """Run one API case in this process and classify what happened."""
    assert case.call is not None
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        try:
            value = case.call()
        except BaseException as error:
            outcome, detail = _classify_error(case, error)
            return {"outcome": outcome, "detail": detail}
        if case.expect == "error":
            detail = f"returned {_describe(value)}"
            if case.check is not None:  # say what the accepted value then does
                try:
                    complaint = case.check(value)
                except Exception as error:
                    complaint = f"{type(error).__name__}: {error}"
                detail += f"; then: {complaint or 'the validator found nothing wrong'}"
            return {"outcome": "silent wrong", "detail": detail[:400]}
        try:
            complaint = case.check(value) if case.check is not None else None
        except Exception as error:
            complaint = f"the result could not be validated: {type(error).__name__}: {error}"
    if complaint:
        return {"outcome": "silent wrong", "detail": complaint[:400]}
    return {"outcome": "correct result", "detail": _describe(value)}


def _vm_size() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _run_forked(case: Case) -> dict[str, Any]:
    """Run ``case`` in a forked child with a time and an address-space limit."""
    sys.stdout.flush()
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            limit = _vm_size() + MEMORY_HEADROOM
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            payload = json.dumps(_evaluate(case)).encode()
        except BaseException as error:
            payload = json.dumps({"outcome": "raw crash", "detail": f"harness: {error!r}"}).encode()
        view = memoryview(payload)
        while view:
            view = view[os.write(write_end, view) :]
        os._exit(0)
    os.close(write_end)
    deadline = time.monotonic() + case.timeout_s
    chunks: list[bytes] = []
    timed_out = False
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            break
        ready, _, _ = select.select([read_end], [], [], remaining)
        if ready:
            chunk = os.read(read_end, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    os.close(read_end)
    if timed_out:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if timed_out:
        return {"outcome": "unbounded", "detail": f"still running after {case.timeout_s:g} s"}
    if not chunks:
        if os.WIFSIGNALED(status):
            return {"outcome": "raw crash", "detail": f"killed by signal {os.WTERMSIG(status)}"}
        return {"outcome": "raw crash", "detail": f"child exited {os.WEXITSTATUS(status)}"}
    result: dict[str, Any] = json.loads(b"".join(chunks))
    return result


def _error_lines(stderr: str) -> tuple[list[str], bool]:
    """stderr's lines without argparse's usage block, and whether there was one."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    if lines and lines[0].startswith("usage:"):
        at = next((i for i, line in enumerate(lines) if ": error: " in line), len(lines))
        return lines[at:], True
    return lines, False


def _run_cli(case: Case, command: list[str], cwd: Path, env: dict[str, str]) -> dict[str, Any]:
    try:
        proc = subprocess.run(
            [*command, *case.argv],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=case.timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"outcome": "unbounded", "detail": f"still running after {case.timeout_s:g} s"}
    lines, usage = _error_lines(proc.stderr)
    last = lines[-1][:300] if lines else ""
    if "Traceback" in proc.stderr:
        return {"outcome": "raw crash", "detail": f"exit {proc.returncode}, traceback: {last}"}
    if proc.returncode == 0:
        if case.expect == "error":
            return {"outcome": "silent wrong", "detail": "exit 0 where an error was expected"}
        complaint = case.check(proc.stdout) if case.check is not None else None
        if complaint:
            return {"outcome": "silent wrong", "detail": complaint}
        return {"outcome": "correct result", "detail": "exit 0"}
    if proc.returncode == 2 and len(lines) == 1 and ": error: " in lines[0]:
        if names_in(lines[0], case.names):
            return {"outcome": "clean error", "detail": lines[0][:300], "usage": usage}
        return {
            "outcome": "raw crash",
            "detail": f"{lines[0][:300]} [names none of {', '.join(case.names)}]",
        }
    return {
        "outcome": "raw crash",
        "detail": f"exit {proc.returncode}, {len(lines)} stderr line(s), the last: {last}",
    }


def _cli_command() -> list[str]:
    script = Path(sys.executable).parent / "ecgkit"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from ecgkit.cli import main; sys.exit(main())"]


def _record(case: Case, result: dict[str, Any], seconds: float) -> dict[str, Any]:
    row = {
        "area": case.area,
        "name": case.name,
        "expect": case.expect,
        "outcome": result["outcome"],
        "detail": result["detail"],
        "seconds": round(seconds, 3),
    }
    if result.get("usage"):
        row["argparse_usage"] = True
    return row


def _run_api(cases: list[Case]) -> list[dict[str, Any]]:
    rows = []
    for case in cases:
        started = time.perf_counter()
        rows.append(_record(case, _run_forked(case), time.perf_counter() - started))
    return rows


def _print_table(rows: list[dict[str, Any]], areas: list[str]) -> None:
    header = (
        f"{'area':<13} {'tried':>6} {'clean err':>10} {'correct':>8} {'silent wrong':>13} "
        f"{'raw crash':>10} {'unbounded':>10} {'case-s':>8}"
    )
    print(header)
    print("-" * len(header))
    for area in [*areas, "overall"]:
        chosen = [r for r in rows if area in ("overall", r["area"])]
        counts = Counter(r["outcome"] for r in chosen)
        seconds = sum(r["seconds"] for r in chosen)
        if area == "overall":
            print("-" * len(header))
        print(
            f"{area:<13} {len(chosen):>6} {counts['clean error']:>10} "
            f"{counts['correct result']:>8} {counts['silent wrong']:>13} "
            f"{counts['raw crash']:>10} {counts['unbounded']:>10} {seconds:>8.1f}"
        )


def _summary(rows: list[dict[str, Any]], areas: list[str]) -> dict[str, Any]:
    out = {}
    for area in [*areas, "overall"]:
        chosen = [r for r in rows if area in ("overall", r["area"])]
        counts = Counter(r["outcome"] for r in chosen)
        out[area] = {"tried": len(chosen), **{o: counts[o] for o in OUTCOMES}}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", nargs="+", choices=AREAS, default=list(AREAS))
    parser.add_argument("--wfdb-variants", type=int, default=100)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "hostile.json"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    command = _cli_command()
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONWARNINGS": "ignore"}
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="ecgkit-hostile-") as tmp:
        root = Path(tmp)
        run = root / "run"
        trainer = None
        if "cli" in args.areas:  # the run folder trains while the API cases run
            log = (root / "train.log").open("w")
            trainer = subprocess.Popen(
                [*command, "train", "--epochs", "1", "--out", str(run)],
                cwd=root,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        builders = {
            "signal": signal_cases,
            "readers": lambda: reader_cases(root / "readers", args.wfdb_variants),
            "gradcam": gradcam_cases,
            "train-config": train_config_cases,
        }
        if "gradcam" in args.areas or "train-config" in args.areas:
            import torch

            torch.set_num_threads(1)  # forked children run torch: no thread pool to inherit
        for area in [a for a in AREAS if a != "cli" and a in args.areas]:
            t0 = time.perf_counter()
            cases = builders[area]()
            area_rows = _run_api(cases)
            rows += area_rows
            bad = sum(r["outcome"] in NOT_OK for r in area_rows)
            print(f"{area}: {len(cases)} cases, {bad} not ok, {time.perf_counter() - t0:.1f} s")
        if trainer is not None:
            t0 = time.perf_counter()
            try:
                trainer.wait(timeout=300)
            except subprocess.TimeoutExpired:
                trainer.kill()
                trainer.wait()
            have_run = trainer.returncode == 0 and (run / "config.json").is_file()
            cases = cli_cases(root / "cli", run)
            runnable = [c for c in cases if have_run or not c.needs_run]
            for case in cases:
                if case not in runnable:
                    rows.append(
                        _record(
                            case,
                            {"outcome": "raw crash", "detail": "the run folder was not made"},
                            0.0,
                        )
                    )

            def one(case: Case) -> dict[str, Any]:
                t = time.perf_counter()
                return _record(case, _run_cli(case, command, root, env), time.perf_counter() - t)

            with ThreadPoolExecutor(max_workers=2) as pool:
                rows += list(pool.map(one, runnable))
            bad = sum(r["outcome"] in NOT_OK for r in rows if r["area"] == "cli")
            print(f"cli: {len(cases)} cases, {bad} not ok, {time.perf_counter() - t0:.1f} s")
    total = time.perf_counter() - started
    areas = [a for a in AREAS if a in args.areas]
    print()
    _print_table(rows, areas)
    print(f"\ntotal runtime {total:.1f} s (case-s: the cases' own seconds; CLI ran 2 at a time)")
    not_ok = [r for r in rows if r["outcome"] in NOT_OK]
    print(f"\nnon-ok cases ({len(not_ok)}):")
    for r in sorted(not_ok, key=lambda r: (AREAS.index(r["area"]), r["outcome"], r["name"])):
        print(f"  [{r['area']}] {r['outcome']:<12} {r['name']}\n      {r['detail']}")
    refused = [r for r in rows if r["expect"] == "result" and r["outcome"] == "clean error"]
    if refused:
        print(f"\nvalid-looking inputs refused with a clean error ({len(refused)}, acceptable):")
        for r in refused:
            print(f"  [{r['area']}] {r['name']}: {r['detail']}")
    usage = sum(bool(r.get("argparse_usage")) for r in rows)
    print(f"\nCLI clean errors that came with argparse's usage block above the error line: {usage}")
    write_json(
        args.out,
        {
            "environment": environment(),
            "seconds": round(total, 1),
            "summary": _summary(rows, areas),
            "cases": rows,
        },
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
