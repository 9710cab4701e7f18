"""WFDB files that wfdb reads into a wrong record: ecgkit refuses them, naming file and field."""

import shutil
import warnings

import numpy as np
import pytest
import wfdb

from ecgkit.data import load_example, read_annotations, read_record, read_signal


@pytest.fixture
def record_dir(tmp_path):
    record, annotations = load_example("100")
    signal = record.signal[:3600]
    wfdb.wrsamp("r", fs=360, units=["mV"], sig_name=["MLII"], p_signal=signal, fmt=["212"],
                write_dir=str(tmp_path))  # fmt: skip
    keep = annotations.sample < 3600
    wfdb.wrann("r", "atr", annotations.sample[keep], symbol=list(annotations.symbol[keep]),
               write_dir=str(tmp_path))  # fmt: skip
    return tmp_path


def _edit_header(folder, old, new):
    header = folder / "r.hea"
    lines = header.read_text().splitlines()
    lines[0] = lines[0].replace(old, new, 1)
    header.write_text("\n".join(lines) + "\n")


def test_the_clean_record_reads(record_dir):
    assert read_record(record_dir / "r").n_samples == 3600
    assert len(read_annotations(record_dir / "r")) > 5


@pytest.mark.parametrize("rate", ["abc", "-360", "0", "nan"])
def test_a_sampling_rate_that_is_not_a_positive_number_is_refused(record_dir, rate):
    _edit_header(record_dir, " 360 ", f" {rate} ")
    with pytest.raises(ValueError, match=r"r\.hea: the sampling rate must be"):
        read_record(record_dir / "r")


@pytest.mark.parametrize("declared", ["1800", "7200"])
def test_a_header_whose_length_disagrees_with_the_data_file_is_refused(record_dir, declared):
    _edit_header(record_dir, " 3600", f" {declared}")
    with pytest.raises(ValueError, match=rf"r\.dat: holds 3600 samples .* declares {declared}"):
        read_record(record_dir / "r")


def test_a_truncated_signal_file_is_refused_with_its_name(record_dir):
    data = record_dir / "r.dat"
    data.write_bytes(data.read_bytes()[:1000])
    with pytest.raises(ValueError, match=r"r\.dat: holds .* truncated"):
        read_record(record_dir / "r")


def _challenge_record(folder, signal, *, keep_bytes=None):
    """A record as the PhysioNet/CinC Challenges ship them: the samples in a MATLAB v4 file
    (a 24-byte header, then int16) that the WFDB header reads at byte offset 24."""
    import scipy.io

    values = np.round(signal * 1000).astype(np.int16)[None, :]
    scipy.io.savemat(folder / "A00001.mat", {"val": values}, format="4")
    if keep_bytes is not None:
        data = folder / "A00001.mat"
        data.write_bytes(data.read_bytes()[:keep_bytes])
    (folder / "A00001.hea").write_text(
        f"A00001 1 300 {values.size} 05:05:15 1/05/2000\n"
        f"A00001.mat 16+24 1000/mV 16 0 {values[0, 0]} 0 0 ECG\n"
    )
    return folder / "A00001"


def test_a_challenge_record_read_past_its_byte_offset(tmp_path):
    # refused before: the 24 bytes of the MATLAB header read as 12 samples too many
    signal = load_example("201")[0].signal[:3000, 0]
    record = read_record(_challenge_record(tmp_path, signal))
    assert record.n_samples == 3000
    np.testing.assert_allclose(record.signal[:, 0], signal, atol=0.5e-3 + 1e-12)
    assert record.start_time == "2000-05-01T05:05:15"
    # the signal file named instead of the record, as a user of the Challenge data may
    np.testing.assert_array_equal(read_signal(tmp_path / "A00001.mat").signal, record.signal)
    with pytest.raises(ValueError, match=r"A00001\.mat: holds 2488 samples .* truncated"):
        read_record(_challenge_record(tmp_path, signal, keep_bytes=5000))


def _with_clock(base, clock):
    header = base.with_suffix(".hea")
    lines = header.read_text().splitlines()
    lines[0] = " ".join(lines[0].split()[:4] + clock.split())
    header.write_text("\n".join(lines) + "\n")
    return base


@pytest.mark.parametrize(
    ("clock", "start"),
    [
        ("05:05:15 1/05/2000", "2000-05-01T05:05:15"),
        ("19:44:07.664", "19:44:07.664000"),
        ("10:00", "00:10:00"),  # WFDB's [[HH:]MM:]SS
        # the Challenge 2020 headers' order, which wfdb reads as 00:00:05
        ("05-Feb-2020 11:39:16", "2020-02-05T11:39:16"),
        ("05-Foo-2020 11:39:16", None),
    ],
)
def test_the_start_time_is_the_header_clock_or_none(tmp_path, clock, start):
    base = _challenge_record(tmp_path, load_example("201")[0].signal[:300, 0])
    assert read_record(_with_clock(base, clock)).start_time == start


@pytest.mark.parametrize("clock", ["25:00:00", "10:00:00 32/01/2024"])
def test_an_impossible_clock_is_refused_by_wfdb_naming_it(tmp_path, clock):
    base = _challenge_record(tmp_path, load_example("201")[0].signal[:300, 0])
    with pytest.raises(ValueError, match=rf"A00001: time data '{clock.split()[-1]}'"):
        read_record(_with_clock(base, clock))


def test_a_record_with_two_samples_of_a_lead_per_frame_is_read(tmp_path):
    # "16x2": V1 at twice the frame rate; refused before as 1,500 samples for 1,000
    first = np.round(np.sin(np.arange(1000) / 10) * 200).astype(int)
    second = np.round(np.cos(np.arange(2000) / 20) * 200).astype(int)
    record = wfdb.Record(
        record_name="mf", n_sig=2, fs=250, sig_len=1000, file_name=["mf.dat"] * 2,
        fmt=["16", "16"], samps_per_frame=[1, 2], adc_gain=[200, 200], baseline=[0, 0],
        units=["mV", "mV"], sig_name=["II", "V1"], e_d_signal=[first, second],
        adc_res=[16, 16], adc_zero=[0, 0], init_value=[int(first[0]), int(second[0])],
        checksum=[0, 0], block_size=[0, 0],
    )  # fmt: skip
    record.wrsamp(expanded=True, write_dir=str(tmp_path))
    read = read_record(tmp_path / "mf")
    assert read.signal.shape == (1000, 2)
    np.testing.assert_allclose(read.signal[:, 0], first / 200)


@pytest.mark.parametrize(
    ("gain_field", "gain_read"),
    [("0/mV", None), ("0(0)/mV", None), ("", None), ("200/mV", 200.0), ("1000(0)/mV", 1000.0)],
)
def test_a_lead_without_a_gain_is_read_at_the_default_with_a_warning(
    tmp_path, gain_field, gain_read
):
    # WFDB: a gain of 0 or none marks an uncalibrated amplitude; wfdb reads it at 200 silently
    lead = load_example("100")[0].signal[:720, 0]
    signal = np.column_stack([lead, -0.5 * lead])
    wfdb.wrsamp("g", fs=360, units=["mV", "mV"], sig_name=["MLII", "V5"], p_signal=signal,
                fmt=["16", "16"], adc_gain=[200, 200], baseline=[0, 0],
                write_dir=str(tmp_path))  # fmt: skip
    header = tmp_path / "g.hea"
    lines = header.read_text().splitlines()
    fields = lines[2].split()  # V5's line: file, format, gain, resolution, zero, ...
    # a gain is left out only with every field after it, the lead's name included
    lines[2] = " ".join([*fields[:2], gain_field, *fields[3:]] if gain_field else fields[:2])
    header.write_text("\n".join(lines) + "\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        record = read_record(tmp_path / "g")
        read_record(tmp_path / "g", leads=[0])  # MLII alone is calibrated
    name = "V5" if gain_field else "lead1"  # a lead without a stored name: by its number
    assert record.lead_names == ("MLII", name)
    messages = [str(w.message) for w in caught if "uncalibrated" in str(w.message)]
    if gain_read is None:
        assert len(messages) == 1
        assert messages[0].startswith(f"record {tmp_path / 'g'}: the header gives lead '{name}' ")
    else:
        assert messages == []
    adc = np.round(signal[:, 1] * 200)
    np.testing.assert_allclose(record.signal[:, 1], adc / (gain_read or 200.0))


@pytest.mark.parametrize("layout", ["fixed", "variable"])
def test_a_multi_segment_record_with_a_null_segment_reads_it_as_a_gap(tmp_path, layout):
    # as the MIMIC waveform records: segments, and "~" for a stretch without signal. wfdb
    # fails to join a fixed layout's null segment ('NoneType' object has no attribute
    # 'p_signal'), and leads=[...] found no lead in any multi-segment record
    signal = load_example("100")[0].signal[:3000, 0]
    for name, part in (("s_0", signal[:1000]), ("s_1", signal[1360:3000])):
        wfdb.wrsamp(name, fs=360, units=["mV"], sig_name=["II"], p_signal=part[:, None],
                    fmt=["16"], write_dir=str(tmp_path))  # fmt: skip
    segments = ["s_0 1000", "~ 360", "s_1 1640"]
    if layout == "variable":
        (tmp_path / "s_layout.hea").write_text("s_layout 1 360 0\n~ 0 200/mV 16 0 0 0 0 II\n")
        segments.insert(0, "s_layout 0")
    lines = [f"s/{len(segments)} 1 360 3000", *segments]
    (tmp_path / "s.hea").write_text("\n".join(lines) + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no gain warning: segments hold gains
        read = read_signal(tmp_path / "s.hea", leads=["II"], missing="keep")
    assert read.lead_names == ("II",)
    assert read.signal.shape == (3000, 1)
    assert np.isnan(read.signal[1000:1360]).all()
    kept = np.r_[0:1000, 1360:3000]
    np.testing.assert_allclose(read.signal[kept, 0], signal[kept], atol=1e-4)
    with pytest.raises(ValueError, match=r"360 missing .* the first from sample 1000"):
        read_signal(tmp_path / "s.hea")


def test_an_empty_annotation_file_is_refused(record_dir):
    (record_dir / "r.atr").write_bytes(b"")
    with pytest.raises(ValueError, match=r"r\.atr is empty"):
        read_annotations(record_dir / "r")


@pytest.mark.parametrize(
    "content",
    [b"this is a text file, not annotations\n" * 8, bytes(range(7, 71))],
    ids=["text", "garbage"],
)
def test_an_annotation_file_that_is_not_wfdb_is_refused(record_dir, content):
    (record_dir / "r.atr").write_bytes(content)
    with pytest.raises(ValueError, match=r"r\.atr"):
        read_annotations(record_dir / "r")


def test_annotations_beyond_the_record_are_refused(record_dir, tmp_path_factory):
    other = tmp_path_factory.mktemp("short")
    shutil.copy(record_dir / "r.atr", other / "r.atr")
    shutil.copy(record_dir / "r.dat", other / "r.dat")
    (other / "r.hea").write_text((record_dir / "r.hea").read_text().replace(" 3600", " 360", 1))
    with pytest.raises(ValueError, match="outside the record's 360 samples"):
        read_annotations(other / "r")
    assert np.all(read_annotations(record_dir / "r").sample < 3600)
