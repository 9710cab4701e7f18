"""Every Python code block of README.md and docs/*.rst runs, so the snippets cannot rot.

Blocks run page by page in one namespace each (later blocks of a page build on earlier
ones), in a scratch folder holding what they name: ``mitdb/`` (the bundled 5-minute
excerpt written as WFDB records, or the full database when it is beside the project),
``my.edf`` and ``holter.edf`` (a bundled record written as EDF). Names a page takes as
given (a trained model, datasets) come from ``PREAMBLES``.
"""

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import wfdb

from ecgkit.data import EXAMPLE_RECORDS, load_example

ROOT = Path(__file__).resolve().parents[1]

_RST_BLOCK = re.compile(r"^\.\. code-block:: python\n\n((?:(?:[ \t]+.*)?\n)+)", re.M)
_MD_BLOCK = re.compile(r"^```python\n(.*?)^```", re.M | re.S)

#: Training in a page's blocks runs one epoch here: the test is that the code runs.
_ONE_EPOCH = (
    "import ecgkit.train\n"
    "_Config = ecgkit.train.TrainConfig\n"
    "ecgkit.train.TrainConfig = lambda **kw: _Config(**{**kw, 'epochs': 1})\n"
)

#: What a page's blocks take as already there.
PREAMBLES = {
    "README.md": _ONE_EPOCH,
    "explain.rst": (
        "import numpy as np\n"
        "from ecgkit.models import create_model\n"
        "model = create_model('beat_cnn', num_classes=5)\n"
        "windows = np.random.default_rng(0).normal(size=(4, 1, 252)).astype(np.float32)\n"
    ),
    "signal.rst": (
        "from ecgkit.data import load_example\n"
        "_record, _ = load_example('100')\n"
        "lead, fs = _record.signal[:, 0], _record.fs\n"
    ),
    "training.rst": (
        "import numpy as np\n"
        "from ecgkit.data import ArrayDataset\n"
        "rng = np.random.default_rng(0)\n"
        "def _data(n):\n"
        "    return ArrayDataset(rng.normal(size=(n, 1, 252)), rng.integers(0, 5, n),\n"
        "                        features=rng.normal(size=(n, 11)))\n"
        "train_dataset, val_dataset, test_dataset = _data(64), _data(32), _data(32)\n"
    )
    + _ONE_EPOCH,
}


def _pages():
    pages = []
    for path in sorted((ROOT / "docs").glob("*.rst")):
        blocks = [textwrap.dedent(m.group(1)) for m in _RST_BLOCK.finditer(path.read_text())]
        if blocks:
            pages.append((path.name, blocks))
    readme = [m.group(1) for m in _MD_BLOCK.finditer((ROOT / "README.md").read_text())]
    pages.append(("README.md", readme))
    return pages


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("snippets")
    mitdb = folder / "mitdb"
    mitdb.mkdir()
    for record_id in EXAMPLE_RECORDS:
        record, annotations = load_example(record_id)
        wfdb.wrsamp(record_id, fs=record.fs, units=["mV"], sig_name=list(record.lead_names),
                    p_signal=record.signal, fmt=["16"], write_dir=str(mitdb))  # fmt: skip
        wfdb.wrann(record_id, "atr", annotations.sample, symbol=list(annotations.symbol),
                   aux_note=list(annotations.aux_note), write_dir=str(mitdb))  # fmt: skip
    (folder / "path" / "to").mkdir(parents=True)
    (folder / "path" / "to" / "mitdb").symlink_to(mitdb)
    import pyedflib

    record, _ = load_example("213")
    for name in ("my.edf", "holter.edf"):
        pyedflib.highlevel.write_edf(
            str(folder / name),
            [record.signal[:, 0]],
            pyedflib.highlevel.make_signal_headers(
                ["MLII"], dimension="mV", sample_frequency=record.fs,
                physical_min=-10.0, physical_max=10.0,
            ),
        )  # fmt: skip
    return folder


@pytest.mark.slow
@pytest.mark.parametrize(("page", "blocks"), _pages(), ids=[name for name, _ in _pages()])
def test_every_code_block_of_the_page_runs(page, blocks, scratch):
    assert blocks, f"{page} has no Python block"
    code = PREAMBLES.get(page, "") + "\n".join(blocks)
    env = {**os.environ, "HOME": str(scratch), "MPLBACKEND": "Agg"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=scratch, env=env, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, f"{page}:\n{result.stderr[-3000:]}"
