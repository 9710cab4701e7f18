"""Run folders and checkpoints: damage is detected, never evaluated silently."""

import struct
import zipfile

import pytest
import torch

from ecgkit.models import create_model
from ecgkit.train import CheckpointError, load_checkpoint, save_checkpoint


def _flip_a_byte_inside_the_largest_tensor(path):
    with zipfile.ZipFile(path) as archive:
        info = max(
            (i for i in archive.infolist() if "/data/" in i.filename), key=lambda i: i.file_size
        )
    raw = bytearray(path.read_bytes())
    name_length, extra_length = struct.unpack(
        "<HH", raw[info.header_offset + 26 : info.header_offset + 30]
    )
    start = info.header_offset + 30 + name_length + extra_length
    raw[start + info.file_size // 2] ^= 0x10
    path.write_bytes(bytes(raw))


def test_a_flipped_byte_inside_a_tensor_is_refused_naming_the_file(tmp_path):
    torch.manual_seed(0)
    model = create_model("beat_cnn", num_classes=3, width=8)
    path = tmp_path / "best.pt"
    save_checkpoint(path, {"model": model.state_dict(), "epoch": 3})
    assert load_checkpoint(path)["epoch"] == 3
    _flip_a_byte_inside_the_largest_tensor(path)
    with pytest.raises(CheckpointError, match=r"best\.pt"):
        load_checkpoint(path)


def test_a_checkpoint_without_a_recorded_digest_still_loads(tmp_path):
    path = tmp_path / "old.pt"
    torch.save({"format": "ecgkit-checkpoint-1", "epoch": 1, "w": torch.ones(3)}, path)
    assert load_checkpoint(path)["epoch"] == 1
