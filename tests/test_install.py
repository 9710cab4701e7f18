"""Without torch, the numpy/scipy layers work and the torch layers say what to install."""

import subprocess
import sys

import pytest

# a child interpreter in which "import torch" fails, as on a base install
_NO_TORCH = (
    "import sys, importlib.abc\n"
    "class Block(importlib.abc.MetaPathFinder):\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    "        if name == 'torch' or name.startswith('torch.'):\n"
    "            raise ModuleNotFoundError(f\"No module named '{name}'\", name=name)\n"
    "sys.meta_path.insert(0, Block())\n"
    "import importlib.util\n"
    "real = importlib.util.find_spec\n"
    "importlib.util.find_spec = lambda name, *a: None if name == 'torch' else real(name, *a)\n"
)


def _run(code):
    return subprocess.run(
        [sys.executable, "-c", _NO_TORCH + code], capture_output=True, text=True, timeout=120
    )


def test_signal_and_data_work_without_torch():
    result = _run(
        "from ecgkit.data import load_example, inter_patient_split, read_signal\n"
        "from ecgkit.signal import detect_r_peaks\n"
        "record, _ = load_example('100')\n"
        "print(detect_r_peaks(record.signal[:, 0], record.fs).size)\n"
        "assert 'torch' not in sys.modules\n"
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) > 300


@pytest.mark.parametrize(
    "module", ["ecgkit.models", "ecgkit.train", "ecgkit.explain", "ecgkit.annotate"]
)
def test_torch_layers_name_the_extra_to_install(module):
    result = _run(f"import {module}\n")
    assert result.returncode != 0
    assert "pip install 'ecgkit-ml[torch]'" in result.stderr


def test_the_command_line_detects_without_torch_and_says_what_train_needs():
    detect = _run("from ecgkit.cli import main\nsys.exit(main(['detect', '100']))\n")
    assert detect.returncode == 0, detect.stderr
    assert "total" in detect.stdout
    train = _run("from ecgkit.cli import main\nsys.exit(main(['train', '--epochs', '1']))\n")
    assert train.returncode == 2
    assert "ecgkit train: error:" in train.stderr
    assert "ecgkit-ml[torch]" in train.stderr
