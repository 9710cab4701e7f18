import subprocess
import sys

import pytest

from ecgkit.cli import main


def test_detect_on_the_bundled_excerpt_prints_totals(capsys):
    assert main(["detect", "100", "105"]) == 0
    out = capsys.readouterr().out
    assert "100" in out
    assert "total" in out
    total = next(line for line in out.splitlines() if line.strip().startswith("total"))
    se, ppv = (float(v) for v in total.split()[-2:])
    assert se > 98
    assert ppv > 95


@pytest.mark.parametrize(
    "argv",
    [["detect", "999"], ["detect", "--method", "magic"], ["detect", "--data-dir", "/nope"], []],
)
def test_bad_arguments_exit_with_code_2(argv, capsys):
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = exit_.code
    assert code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_console_script_reports_its_version():
    out = subprocess.run(
        [sys.executable, "-m", "ecgkit.cli", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.startswith("ecgkit ")
