"""read_signal: every format round-trips a real record; every bad file gets a clear error.

Tolerances, per format, of the samples read back against the samples written (mV):

* WFDB: one ADC step, 1 / adc_gain of the header wfdb.wrsamp chose.
* EDF (16-bit): one digital step, (physical max - physical min) / 65535; BDF (24-bit):
  (physical max - physical min) / (2**24 - 1). pyedflib's writer truncates, so the error
  reaches one step, not half of one.
* CSV/TSV/TXT: the 6 decimals written, 0.5e-6 mV (plus float rounding).
* NPY/NPZ: exact.
"""

import codecs
import csv

import numpy as np
import pyedflib
import pytest
import wfdb
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ecgkit.data import EXAMPLE_RECORDS, Record, load_example, read_record, read_signal

FS = 360.0
N = 3600  # 10 s
NAMES = ("MLII", "V1")
CSV_TOLERANCE = 0.5e-6 + 1e-12


@pytest.fixture(scope="module")
def reference():
    """10 s of two real leads (records 100 and 208 of the bundled excerpt) as one Record."""
    assert {"100", "208"} <= set(EXAMPLE_RECORDS)
    first, _ = load_example("100")
    second, _ = load_example("208")
    signal = np.column_stack([first.signal[:N, 0], second.signal[:N, 0]])
    return Record(signal=signal, fs=FS, lead_names=NAMES, record_id="ref")


def _write_text(path, signal, names, *, delimiter=",", time=None, time_name="time"):
    columns = list(names)
    table = signal
    if time is not None:
        columns = [time_name, *columns]
        table = np.column_stack([time, signal])
    np.savetxt(
        path, table, fmt="%.6f", delimiter=delimiter, header=delimiter.join(columns), comments=""
    )
    return path


def _write_wfdb(path, signal, names, units, **header):
    wfdb.wrsamp(
        path.name,
        fs=FS,
        units=units,
        sig_name=list(names),
        p_signal=signal,
        fmt=["16"] * signal.shape[1],
        write_dir=str(path.parent),
        **header,
    )
    # the ADC step wrsamp chose for each lead, in the lead's unit
    return 1 / np.array(wfdb.rdheader(str(path)).adc_gain)


def _write_edf(
    path, signals, *, labels, fs=FS, dims=None, bdf=False, plus=False, extra=(), start=None
):
    """Write ``signals`` [n, k] with pyedflib; ``extra`` adds (label, rate, data, dim) channels.

    Returns the digital resolution (mV per step) of each of ``signals``' channels.
    """
    kinds = {
        (False, False): pyedflib.FILETYPE_EDF,
        (False, True): pyedflib.FILETYPE_EDFPLUS,
        (True, False): pyedflib.FILETYPE_BDF,
        (True, True): pyedflib.FILETYPE_BDFPLUS,
    }
    bits = 24 if bdf else 16
    dmin, dmax = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    dims = dims or ["mV"] * signals.shape[1]
    channels = [(labels[j], fs, signals[:, j], dims[j]) for j in range(signals.shape[1])]
    channels += list(extra)
    writer = pyedflib.EdfWriter(str(path), len(channels), file_type=kinds[bdf, plus])
    if start is not None:
        writer.setStartdatetime(start)
    steps = []
    for i, (label, rate, data, dim) in enumerate(channels):
        low, high = float(data.min()) - 0.1, float(data.max()) + 0.1
        writer.setSignalHeader(
            i,
            {
                "label": label,
                "dimension": dim,
                "sample_frequency": rate,
                "physical_min": low,
                "physical_max": high,
                "digital_min": dmin,
                "digital_max": dmax,
            },
        )
        steps.append((high - low) / (dmax - dmin))
    if plus:
        writer.writeAnnotation(1.0, -1, "start of test")
    writer.writeSamples([np.ascontiguousarray(c[2]) for c in channels])
    writer.close()
    return np.array(steps[: signals.shape[1]])


def _assert_same(record, reference, atol, *, names=NAMES, record_id, fs_rel=1e-12):
    assert record.signal.shape == reference.signal.shape
    assert record.signal.dtype == np.float64
    np.testing.assert_allclose(record.signal, reference.signal, rtol=0, atol=atol)
    assert record.fs == pytest.approx(FS, rel=fs_rel)
    assert record.lead_names == names
    assert record.record_id == record_id


# --- round trips -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["rec.hea", "rec.dat", "rec"])
def test_wfdb_round_trips_within_one_adc_step(tmp_path, reference, name):
    steps = _write_wfdb(tmp_path / "rec", reference.signal, NAMES, ["mV", "mV"])
    record = read_signal(tmp_path / name)
    _assert_same(record, reference, atol=steps.max() + 1e-12, record_id="rec")


def test_wfdb_leads_in_uv_and_v_are_converted_to_mv(tmp_path, reference):
    scaled = reference.signal * [1000.0, 1e-3]
    steps = _write_wfdb(tmp_path / "uv", scaled, NAMES, ["uV", "V"])
    record = read_signal(tmp_path / "uv.hea")
    atol = (steps * [1e-3, 1e3]).max() + 1e-12
    _assert_same(record, reference, atol=atol, record_id="uv")


def test_wfdb_leads_select_and_order_channels(tmp_path, reference):
    _write_wfdb(tmp_path / "rec", reference.signal, NAMES, ["mV", "mV"])
    record = read_signal(tmp_path / "rec", leads=["V1", 0])
    assert record.lead_names == ("V1", "MLII")
    np.testing.assert_allclose(record.signal, reference.signal[:, ::-1], atol=1e-3)


def test_wfdb_lead_in_a_non_voltage_unit_is_an_error_naming_it(tmp_path, reference):
    _write_wfdb(tmp_path / "bp", reference.signal, ["MLII", "ABP"], ["mV", "mmHg"])
    with pytest.raises(ValueError, match=r"bp.*'ABP' is in 'mmHg'.*leads="):
        read_signal(tmp_path / "bp.hea")
    assert read_signal(tmp_path / "bp.hea", leads=["MLII"]).lead_names == ("MLII",)


@pytest.mark.parametrize(
    ("suffix", "bdf", "plus"),
    [
        (".edf", False, False),
        (".edf", False, True),
        (".bdf", True, False),
        (".bdf", True, True),
    ],
)
def test_edf_and_bdf_round_trip_within_one_digital_step(tmp_path, reference, suffix, bdf, plus):
    path = tmp_path / f"rec{suffix}"
    steps = _write_edf(path, reference.signal, labels=NAMES, bdf=bdf, plus=plus)
    assert steps.max() < (1e-4 if not bdf else 1e-6)
    record = read_signal(path)  # the EDF+/BDF+ annotation channel is skipped
    _assert_same(record, reference, atol=steps.max() * (1 + 1e-9), record_id="rec")


def test_edf_physical_dimension_in_uv_is_converted_to_mv(tmp_path, reference):
    path = tmp_path / "uv.edf"
    # edflib refuses non-ASCII headers, so a micro sign never reaches the reader
    steps = _write_edf(path, reference.signal * 1000, labels=NAMES, dims=["uV", "UV"])
    record = read_signal(path)
    _assert_same(record, reference, atol=steps.max() / 1000 * (1 + 1e-9), record_id="uv")


def test_edf_channels_at_another_rate_are_skipped_with_a_warning(tmp_path, reference):
    path = tmp_path / "mixed.edf"
    spo2 = ("SpO2", 1.0, np.full(N // int(FS), 97.0), "%")
    _write_edf(path, reference.signal, labels=("ECG I", "ECG II"), extra=[spo2], plus=True)
    with pytest.warns(UserWarning, match=r"skipped channels 'SpO2' \(1 Hz\).*leads="):
        record = read_signal(path)
    assert record.lead_names == ("ECG I", "ECG II")
    assert record.fs == FS
    with pytest.raises(ValueError, match=r"mixed\.edf.*different rates.*'SpO2' 1 Hz"):
        read_signal(path, leads=["ECG I", "SpO2"])
    with pytest.raises(ValueError, match=r"'SpO2' has physical dimension '%'.*leads="):
        read_signal(path, leads=["SpO2"])


def test_edf_without_physical_dimension_needs_units(tmp_path, reference):
    path = tmp_path / "nodim.edf"
    steps = _write_edf(path, reference.signal * 1000, labels=NAMES, dims=["", ""])
    with pytest.raises(ValueError, match=r"nodim\.edf.*physical dimension ''.*units='mV'"):
        read_signal(path)
    record = read_signal(path, units="uV")
    _assert_same(record, reference, atol=steps.max() / 1000 * (1 + 1e-9), record_id="nodim")


def test_discontinuous_edf_plus_is_refused(tmp_path, reference):
    path = tmp_path / "gaps.edf"
    _write_edf(path, reference.signal, labels=NAMES, plus=True)
    data = bytearray(path.read_bytes())
    assert data[192:197] == b"EDF+C"
    data[192:197] = b"EDF+D"
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"gaps\.edf is a discontinuous.*EDF\+C"):
        read_signal(path)


def test_the_date_and_time_a_header_states_is_the_start_time(tmp_path, reference):
    import datetime

    start = datetime.datetime(2024, 1, 31, 22, 15, 30)
    _write_wfdb(tmp_path / "dated", reference.signal, NAMES, ["mV", "mV"],
                base_date=start.date(), base_time=start.time())  # fmt: skip
    assert read_signal(tmp_path / "dated.hea").start_time == "2024-01-31T22:15:30"
    _write_wfdb(tmp_path / "timed", reference.signal, NAMES, ["mV", "mV"], base_time=start.time())
    assert read_signal(tmp_path / "timed.hea").start_time == "22:15:30"
    _write_wfdb(tmp_path / "plain", reference.signal, NAMES, ["mV", "mV"])
    assert read_signal(tmp_path / "plain.hea").start_time is None
    _write_edf(tmp_path / "dated.edf", reference.signal, labels=NAMES, start=start)
    record = read_signal(tmp_path / "dated.edf")
    assert record.start_time == "2024-01-31T22:15:30"
    assert record.start_s == 0.0
    _write_text(tmp_path / "plain.csv", reference.signal, NAMES)
    assert read_signal(tmp_path / "plain.csv", fs=FS).start_time is None


def test_csv_with_a_time_column_gives_fs(tmp_path, reference):
    time = np.arange(N) / FS
    path = _write_text(tmp_path / "rec.csv", reference.signal, NAMES, time=time)
    record = read_signal(path)
    # time written with 6 decimals: fs comes from the whole span (within 1e-7), not from one
    # rounded step (1 / 0.002778 s = 359.97 Hz)
    _assert_same(record, reference, atol=CSV_TOLERANCE, record_id="rec", fs_rel=1e-7)
    assert read_signal(path, fs=FS).fs == FS


@pytest.mark.parametrize(
    ("suffix", "delimiter"),
    [
        (".csv", ","),
        (".csv", ";"),
        (".tsv", "\t"),
        (".txt", "\t"),
        (".txt", " "),
    ],
)
def test_text_without_time_column_round_trips_with_fs(tmp_path, reference, suffix, delimiter):
    path = _write_text(tmp_path / f"rec{suffix}", reference.signal, NAMES, delimiter=delimiter)
    record = read_signal(path, fs=FS)
    _assert_same(record, reference, atol=CSV_TOLERANCE, record_id="rec")


def test_time_column_is_found_by_name_or_time_column(tmp_path, reference):
    time = np.arange(N) / FS
    path = _write_text(tmp_path / "a.csv", reference.signal, NAMES, time=time, time_name="T")
    assert read_signal(path).lead_names == NAMES
    path = _write_text(tmp_path / "b.csv", reference.signal, NAMES, time=time, time_name="clock")
    record = read_signal(path, time_column="clock", leads=["V1"])
    assert record.lead_names == ("V1",)
    assert record.fs == pytest.approx(FS, rel=1e-7)
    with pytest.raises(ValueError, match=r"b\.csv has no column 'tick'.*'clock', 'MLII'"):
        read_signal(path, time_column="tick")
    # a unit at the end of a name the reader does not know is read too
    path = _write_text(
        tmp_path / "c.csv", reference.signal, NAMES, time=time * 1000, time_name="Zeit (ms)"
    )
    assert read_signal(path, time_column="Zeit (ms)").fs == pytest.approx(FS, rel=1e-5)


@pytest.mark.parametrize(
    ("time_name", "per_second"),
    [
        ("Time (s)", 1.0),
        ("time_ms", 1e3),
        ("Time [ms]", 1e3),
        ("Elapsed time (ms)", 1e3),
        ("timestamp", 1.0),
        ("seconds", 1.0),
        ("ms", 1e3),
        ("time_us", 1e6),
    ],
)
def test_a_time_column_is_found_with_its_unit(tmp_path, reference, time_name, per_second):
    # a name the reader did not know was read as a lead, and annotate took it for the ECG
    time = np.arange(N) / FS * per_second
    path = _write_text(tmp_path / "t.csv", reference.signal, NAMES, time=time, time_name=time_name)
    record = read_signal(path)
    assert record.lead_names == NAMES
    assert record.fs == pytest.approx(FS, rel=1e-5)


def test_a_time_column_in_another_unit_than_its_name_says_raises(tmp_path, reference):
    time = np.arange(N) / FS * 1000  # milliseconds under a name that says seconds
    path = _write_text(tmp_path / "ms.csv", reference.signal, NAMES, time=time)
    with pytest.raises(ValueError, match=r"ms\.csv: time column 'time'.*0\.36 Hz.*'time_ms'"):
        read_signal(path)


def test_a_column_of_sample_numbers_needs_fs_and_marks_skipped_rows(tmp_path, reference):
    numbers = np.arange(N, dtype=np.float64)
    path = _write_text(
        tmp_path / "n.csv", reference.signal, NAMES, time=numbers, time_name="Sample #"
    )
    with pytest.raises(ValueError, match=r"fs is required .*sample numbers \(column 'Sample #'\)"):
        read_signal(path)
    record = read_signal(path, fs=FS)
    assert record.lead_names == NAMES
    _assert_same(record, reference, atol=CSV_TOLERANCE, record_id="n")
    skipped = _write_text(
        tmp_path / "skip.csv", reference.signal[1:], NAMES, time=numbers[1:] + (numbers[1:] > 99),
        time_name="sample",
    )  # fmt: skip
    kept = read_signal(skipped, fs=FS, missing="keep").signal
    assert kept.shape == (N, 2)
    assert np.isnan(kept[99]).all()
    assert not np.isnan(np.delete(kept, 99, axis=0)).any()


@pytest.mark.parametrize("suffix", [".csv", ".npy"])
def test_a_clock_read_as_a_lead_raises(tmp_path, reference, suffix):
    time = np.arange(N) / FS
    if suffix == ".csv":
        path = _write_text(
            tmp_path / "c.csv", reference.signal, NAMES, time=time, time_name="clock"
        )
        fs = None
    else:
        path = tmp_path / "c.npy"
        np.save(path, np.column_stack([time, reference.signal]))
        fs = FS
    with pytest.raises(ValueError, match=r"rises by the same step on every row.*'time_ms'"):
        read_signal(path, fs=fs)
    # the other leads alone are read
    assert read_signal(path, fs=FS, leads=[1, 2]).signal.shape == (N, 2)


def test_comment_lines_before_the_header_are_skipped(tmp_path, reference):
    # a device's notes above the header row were read as the header
    time = np.arange(N) / FS
    plain = _write_text(tmp_path / "plain.csv", reference.signal, NAMES, time=time)
    noted = tmp_path / "noted.csv"
    noted.write_text("# Device: XYZ\n  # exported 2026-11-28\n" + plain.read_text())
    _assert_same(read_signal(noted), read_signal(plain), atol=0, record_id="noted", fs_rel=1e-7)
    # np.savetxt's header is a comment line itself
    saved = tmp_path / "saved.csv"
    np.savetxt(saved, np.column_stack([time, reference.signal]), delimiter=",",
               header="time,MLII,V1")  # fmt: skip
    assert saved.read_text().startswith("# time,MLII,V1")
    record = read_signal(saved)
    assert record.lead_names == NAMES
    assert record.fs == pytest.approx(FS, rel=1e-7)
    # lines are still counted from the top of the file
    lines = noted.read_text().splitlines()
    lines[5] = "0.1,oops,0.2"
    noted.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=r"line 6, column 2 \('MLII'\) is not a number"):
        read_signal(noted)


def test_sample_numbers_beside_a_time_column_are_left_out(tmp_path, reference):
    time = np.arange(N) / FS
    table = np.column_stack([np.arange(N), time, reference.signal])
    path = tmp_path / "both.csv"
    np.savetxt(path, table, delimiter=",", header="sample,time,MLII,V1", comments="")
    record = read_signal(path)
    assert record.lead_names == NAMES
    assert record.fs == pytest.approx(FS, rel=1e-7)


def test_a_wfdb_or_edf_channel_is_not_refused_as_a_clock(tmp_path, reference):
    # a counter channel in a WFDB record is named: read, not taken for a time column
    counter = np.arange(N, dtype=np.float64)[:, None] / 100
    signal = np.hstack([reference.signal, counter])
    _write_wfdb(tmp_path / "cnt", signal, (*NAMES, "Counter"), ["mV", "mV", "mV"])
    assert read_signal(tmp_path / "cnt.hea").lead_names == (*NAMES, "Counter")


def test_a_time_column_gives_the_time_of_the_first_sample(tmp_path, reference):
    # a CSV cut from a longer recording keeps its clock: beats are reported on it
    time = 3600 + np.arange(N) / FS
    path = _write_text(tmp_path / "late.csv", reference.signal, NAMES, time=time)
    assert read_signal(path).start_s == pytest.approx(3600.0)
    numbers = 3600 * FS + np.arange(N)
    numbered = _write_text(tmp_path / "n.csv", reference.signal, NAMES, time=numbers,
                           time_name="sample")  # fmt: skip
    assert read_signal(numbered, fs=FS).start_s == pytest.approx(3600.0)
    plain = _write_text(tmp_path / "plain.csv", reference.signal, NAMES)
    assert read_signal(plain, fs=FS).start_s == 0.0


def _physionet_csv(path, signal, time_cells, units, quote=""):
    """A CSV as PhysioNet exports one: quoted names, a row of units, then the samples."""
    lines = ["'Elapsed time','MLII','V1'", ",".join(f"'{u}'" for u in units)]
    lines += [
        f"{t},{quote}{a:.3f}{quote},{b:.3f}" for t, (a, b) in zip(time_cells, signal, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_physionet_csv_exports_are_read(tmp_path, reference):
    # rdsamp -c -p -v: time in seconds rounded to 1 ms (steps of 2 and 3 ms at 360 Hz),
    # a row of units under the quoted names; both refused before
    seconds = [f"{i / FS:.3f}" for i in range(N)]
    rdsamp = _physionet_csv(tmp_path / "rdsamp.csv", reference.signal, seconds,
                            ("seconds", "mV", "mV"))  # fmt: skip
    record = read_signal(rdsamp)
    assert record.lead_names == NAMES
    assert record.fs == FS  # a whole number of Hz within what 1-ms stamps leave open
    np.testing.assert_allclose(record.signal, reference.signal, atol=0.5e-3 + 1e-12)
    # the ATM: the time as a clock, quoted; a lead in uV
    clock = [f"'1:{i // 360 // 60:02d}:{(i / FS) % 60:06.3f}'" for i in range(N)]
    microvolts = reference.signal * np.array([1000.0, 1.0])
    atm = _physionet_csv(
        tmp_path / "atm.csv", microvolts, clock, ("hh:mm:ss.mmm", "uV", "mV"), quote="'"
    )
    record = read_signal(atm)
    assert record.fs == FS
    assert record.start_s == pytest.approx(3600.0)
    np.testing.assert_allclose(record.signal, reference.signal, atol=0.5e-3 + 1e-12)


def test_a_units_row_names_the_time_column_and_the_leads_unit(tmp_path, reference):
    time = np.arange(N) / FS
    lines = ["Zeit,MLII,V1", "s,uV,uV"]
    microvolts = reference.signal * 1000
    lines += [f"{t:.6f},{a:.1f},{b:.1f}" for t, (a, b) in zip(time, microvolts, strict=True)]
    path = tmp_path / "zeit.csv"
    path.write_text("\n".join(lines) + "\n")
    record = read_signal(path, units="V")  # the file's own units win
    assert record.lead_names == NAMES
    assert record.fs == pytest.approx(FS, rel=1e-7)
    np.testing.assert_allclose(record.signal, reference.signal, atol=0.5e-4 + 1e-12)


@pytest.mark.parametrize(
    ("unit", "per_mv"), [("millivolts", 1.0), ("Microvolts", 1000.0), ("volts", 1e-3)]
)
def test_units_spelled_out_are_read(tmp_path, reference, unit, per_mv):
    lines = ["time,MLII,V1", f"seconds,{unit},{unit}"]
    lines += [f"{i / FS:.6f},{a * per_mv:.9f},{b * per_mv:.9f}" for i, (a, b) in
              enumerate(reference.signal)]  # fmt: skip
    path = tmp_path / "spelled.csv"
    path.write_text("\n".join(lines) + "\n")
    np.testing.assert_allclose(read_signal(path).signal, reference.signal, atol=1e-6)


@pytest.mark.parametrize("unit", ["counts", "nV", "adu"])
def test_a_row_of_units_with_one_not_read_names_it(tmp_path, unit):
    # it was taken for data: "line 2, column 1 ('time') is not a number: 'seconds'"
    path = tmp_path / "units.csv"
    path.write_text(f"time,MLII\nseconds,{unit}\n0.0,0.1\n0.01,0.2\n")
    with pytest.raises(ValueError, match=rf"row of units, but '{unit}' \(column 'MLII'\)"):
        read_signal(path)


def test_date_time_stamps_raise_saying_so(tmp_path):
    path = tmp_path / "iso.csv"
    path.write_text("timestamp,MLII\n2024-01-31T10:00:00.000,0.1\n2024-01-31 10:00:00.004,0.2\n")
    with pytest.raises(ValueError, match=r"line 2, column 1 \('timestamp'\).*a date and time"):
        read_signal(path)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_unicode_text_exports_are_read_as_utf8_is(tmp_path, reference, encoding):
    # a spreadsheet's "Unicode text" export: UTF-16 with its byte-order mark, tab-separated
    # lines ending in CRLF (and PhysioNet's units row, an empty cell for a missing sample);
    # read before as garbled cells ('\x00-\x000...' is not a number)
    lines = ["'Elapsed time'\t'MLII'\t'V1'", "'seconds'\t'mV'\t'mV'"]
    lines += [f"{i / FS:.6f}\t{a:.6f}\t{b:.6f}" for i, (a, b) in enumerate(reference.signal)]
    lines[5] = f"{3 / FS:.6f}\t\t{reference.signal[3, 1]:.6f}"
    text = "\r\n".join(lines) + "\r\n"
    mark = codecs.BOM_UTF16_BE if encoding == "utf-16-be" else b""
    path = tmp_path / "export.txt"
    path.write_bytes(mark + text.encode(encoding))
    record = read_signal(path, missing="keep")
    assert record.lead_names == NAMES
    assert record.fs == FS
    expected = reference.signal.copy()
    expected[3, 0] = np.nan
    np.testing.assert_allclose(record.signal, expected, atol=CSV_TOLERANCE)


def test_utf16_without_its_byte_order_mark_is_refused_saying_so(tmp_path, reference):
    path = tmp_path / "export.csv"
    path.write_bytes("MLII,V1\n0.1,0.2\n0.3,0.4\n".encode("utf-16-le"))
    with pytest.raises(ValueError, match=r"NUL bytes.*not UTF-8 text.*save it as UTF-8"):
        read_signal(path, fs=FS)


@pytest.mark.parametrize(
    ("separator", "newline", "encoding", "last_newline"),
    [(",", "\n", "utf-8", True), (";", "\r\n", "utf-8", False), ("\t", "\n", "utf-16", True)],
)
def test_a_separator_at_the_end_of_every_line_is_read(
    tmp_path, reference, separator, newline, encoding, last_newline
):
    # some exporters end every line with the separator; refused before as "column 4 of the
    # header row has no name"
    rows = [separator.join(["time", *NAMES])]
    rows += [separator.join([f"{i / FS:.6f}", f"{a:.6f}", f"{b:.6f}"])
             for i, (a, b) in enumerate(reference.signal)]  # fmt: skip
    text = newline.join(row + separator for row in rows) + (newline if last_newline else "")
    path = tmp_path / ("trailing.txt" if separator == "\t" else "trailing.csv")
    path.write_bytes(text.encode(encoding))
    record = read_signal(path)
    _assert_same(record, reference, atol=CSV_TOLERANCE, record_id="trailing")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("0.1,0.2,7", r"line 4 has a value after its last named column"),
        ("0.1,0.2", r"line 4 has 2 value\(s\) .* names 2 column\(s\) and ends with a separator"),
    ],
)
def test_a_row_that_breaks_the_trailing_separator_is_refused_naming_it(tmp_path, line, message):
    path = tmp_path / "trailing.csv"
    path.write_text("MLII,V1,\n0.1,0.2,\n0.3,0.4,\n" + line + "\n0.5,0.6,\n")
    with pytest.raises(ValueError, match=message):
        read_signal(path, fs=FS)


def test_csv_in_uv_is_converted_with_units(tmp_path, reference):
    path = _write_text(tmp_path / "uv.csv", reference.signal * 1000, NAMES)
    record = read_signal(path, fs=FS, units="uV")
    _assert_same(record, reference, atol=CSV_TOLERANCE, record_id="uv")
    volts = _write_text(tmp_path / "v.csv", reference.signal / 1000, NAMES)
    np.testing.assert_allclose(
        read_signal(volts, fs=FS, units="V").signal, reference.signal, atol=CSV_TOLERANCE * 1000
    )


def test_npy_round_trips_exactly_and_keeps_float32(tmp_path, reference):
    np.save(tmp_path / "rec.npy", reference.signal)
    record = read_signal(tmp_path / "rec.npy", fs=FS)
    _assert_same(record, reference, atol=0, names=("lead0", "lead1"), record_id="rec")
    np.save(tmp_path / "f32.npy", reference.signal.astype(np.float32))
    assert read_signal(tmp_path / "f32.npy", fs=FS).signal.dtype == np.float32
    np.save(tmp_path / "one.npy", reference.signal[:, 0])
    one = read_signal(tmp_path / "one.npy", fs=FS)
    np.testing.assert_array_equal(one.signal, reference.signal[:, :1])


def test_npy_integers_become_float64_scaled_by_units(tmp_path):
    adc = np.random.default_rng(0).integers(-500, 500, size=(500, 2), dtype=np.int16)
    np.save(tmp_path / "adc.npy", adc)
    record = read_signal(tmp_path / "adc.npy", fs=250, units="uV", leads=[1])
    assert record.signal.dtype == np.float64
    np.testing.assert_allclose(record.signal[:, 0], adc[:, 1] / 1000)


def test_npz_round_trips_with_stored_fs_and_lead_names(tmp_path, reference):
    path = tmp_path / "rec.npz"
    np.savez(path, signal=reference.signal, fs=FS, lead_names=np.array(NAMES))
    _assert_same(read_signal(path), reference, atol=0, record_id="rec")
    single = tmp_path / "single.npz"
    np.savez_compressed(single, ecg=reference.signal)
    record = read_signal(single, fs=FS, leads=["lead1"])
    np.testing.assert_array_equal(record.signal, reference.signal[:, 1:])


@settings(max_examples=40, deadline=None)
@given(
    signal=hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 40), st.integers(1, 3)),
        elements=st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False),
    ),
    fs=st.floats(1.0, 5000.0),
)
def test_any_small_table_round_trips_through_csv(tmp_path_factory, signal, fs):
    names = ["I", "II", "III"][: signal.shape[1]]
    path = tmp_path_factory.mktemp("csv") / "table.csv"
    np.savetxt(path, signal, fmt="%.17g", delimiter=",", header=",".join(names), comments="")
    record = read_signal(path, fs=fs)
    np.testing.assert_array_equal(record.signal, signal)  # %.17g is exact for float64
    assert record.fs == fs
    assert record.lead_names == tuple(names)


@settings(max_examples=30, deadline=None)
@given(
    fs=st.floats(20.0, 2000.0),
    start_s=st.floats(0.0, 1e5),
    column=st.sampled_from(
        [("time", 1.0), ("Time (s)", 1.0), ("time_ms", 1e3), ("Time [ms]", 1e3), ("t_us", 1e6)]
    ),
    n=st.integers(60, 400),
)
def test_a_time_column_in_any_unit_gives_fs_and_the_start(tmp_path_factory, fs, start_s, column, n):
    name, per_second = column
    time = (start_s + np.arange(n) / fs) * per_second
    lead = np.sin(0.7 * np.arange(n))
    path = tmp_path_factory.mktemp("time") / "t.csv"
    np.savetxt(path, np.column_stack([time, lead]), fmt="%.17g", delimiter=",",
               header=f"{name},ECG", comments="")  # fmt: skip
    record = read_signal(path)
    assert record.lead_names == ("ECG",)
    assert record.fs == pytest.approx(fs, rel=1e-6)
    assert record.start_s == pytest.approx(start_s, rel=1e-9, abs=1e-9)
    np.testing.assert_array_equal(record.signal[:, 0], lead)


@settings(max_examples=30, deadline=None)
@given(
    first=st.floats(-1e6, 1e6),
    step=st.floats(1e-4, 1e3),
    n=st.integers(50, 3000),
    column=st.integers(0, 1),
)
def test_any_even_ramp_in_a_numpy_file_is_refused_as_a_clock(
    tmp_path_factory, first, step, n, column
):
    ecg = np.sin(0.7 * np.arange(n))
    ramp = first + step * np.arange(n)
    table = np.column_stack([ramp, ecg] if column == 0 else [ecg, ramp])
    path = tmp_path_factory.mktemp("ramp") / "r.npy"
    np.save(path, table)
    with pytest.raises(ValueError, match=f"lead 'lead{column}' rises by the same step"):
        read_signal(path, fs=FS)
    assert read_signal(path, fs=FS, leads=[1 - column]).signal.shape == (n, 1)


# --- errors ------------------------------------------------------------------------------


def _csv(path, rows):
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_unknown_extension_lists_the_supported_ones(tmp_path):
    path = tmp_path / "rec.mat"
    path.write_bytes(b"")
    with pytest.raises(ValueError, match=r"rec\.mat: unknown extension '\.mat'.*\.csv.*\.npz"):
        read_signal(path)


@pytest.mark.parametrize("name", ["gone.csv", "gone.edf", "gone.npy", "gone.hea", "gone"])
def test_missing_file_raises_file_not_found_naming_it(tmp_path, name):
    with pytest.raises(FileNotFoundError, match=r"gone"):
        read_signal(tmp_path / name)


@pytest.mark.parametrize("name", ["recordings", "recordings.csv"])
def test_a_folder_raises_saying_so(tmp_path, name):
    (tmp_path / name).mkdir()
    with pytest.raises(IsADirectoryError, match=rf"{name} is a folder; give one recording"):
        read_signal(tmp_path / name)


def test_missing_fs_says_to_pass_it(tmp_path, reference):
    path = _write_text(tmp_path / "nofs.csv", reference.signal[:10], NAMES)
    with pytest.raises(
        ValueError, match=r"fs is required for .*nofs\.csv: it has no time column; pass fs="
    ):
        read_signal(path)
    np.save(tmp_path / "nofs.npy", reference.signal)
    with pytest.raises(ValueError, match=r"fs is required for .*nofs\.npy.*pass fs="):
        read_signal(tmp_path / "nofs.npy")


@pytest.mark.parametrize("fs", [0, -360, float("nan"), float("inf")])
def test_bad_fs_is_refused_naming_the_file(tmp_path, reference, fs):
    path = _write_text(tmp_path / "rec.csv", reference.signal[:10], NAMES)
    with pytest.raises(ValueError, match=r"fs must be a finite sampling rate > 0 Hz.*rec\.csv"):
        read_signal(path, fs=fs)


def test_header_row_is_required(tmp_path):
    path = _csv(tmp_path / "bare.csv", [[0.1, 0.2], [0.3, 0.4]])
    with pytest.raises(ValueError, match=r"bare\.csv needs a header row of lead names"):
        read_signal(path, fs=FS)


def test_non_numeric_cell_names_line_and_column(tmp_path):
    path = _csv(tmp_path / "word.csv", [["MLII", "V1"], [0.1, 0.2], [0.3, 0.4], [0.5, "noise"]])
    with pytest.raises(ValueError, match=r"word\.csv: line 4, column 2 \('V1'\).*'noise'"):
        read_signal(path, fs=FS)


def test_ragged_row_names_the_line(tmp_path):
    path = _csv(tmp_path / "ragged.csv", [["MLII", "V1"], [0.1, 0.2], [0.3, 0.4], [0.5]])
    with pytest.raises(ValueError, match=r"ragged\.csv: line 4 has 1 value.*2 column"):
        read_signal(path, fs=FS)


def test_missing_samples_say_where_the_first_run_starts_and_how_many(tmp_path, reference):
    rows = [list(NAMES)] + [[f"{a:.6f}", f"{b:.6f}"] for a, b in reference.signal[:100]]
    for i in (11, 12, 13):  # samples 10..12 of MLII are empty
        rows[i][0] = ""
    rows[51][0] = "NaN"  # sample 50
    path = _csv(tmp_path / "gaps.csv", rows)
    with pytest.raises(
        ValueError,
        match=r"gaps\.csv has 4 missing .*'MLII': 4 in 2 run\(s\), the first from sample 10 "
        r"\(t = 0\.028 s\) for 3 sample\(s\).*fill each gap with one value",
    ):
        read_signal(path, fs=FS)
    signal = reference.signal.copy()
    signal[7:9, 1] = np.nan
    np.save(tmp_path / "gaps.npy", signal)
    with pytest.raises(ValueError, match=r"gaps\.npy has 2 missing.*'lead1'.*sample 7"):
        read_signal(tmp_path / "gaps.npy", fs=FS)
    # kept as NaN on request, for annotate, which takes them as gaps
    kept = read_signal(path, fs=FS, missing="keep")
    assert np.isnan(kept.signal[[10, 11, 12, 50], 0]).all()
    assert np.isfinite(np.delete(kept.signal[:, 0], [10, 11, 12, 50])).all()
    np.testing.assert_array_equal(
        np.isnan(read_signal(tmp_path / "gaps.npy", fs=FS, missing="keep").signal),
        np.isnan(signal),
    )
    with pytest.raises(ValueError, match="missing must be"):
        read_signal(path, fs=FS, missing="fill")


def test_a_wfdb_records_invalid_samples_are_missing_samples(tmp_path, reference):
    # WFDB's own mark for a lost sample (the format's invalid value), as PhysioNet writes it
    signal = reference.signal[:2000].astype(np.float64).copy()
    signal[700:1060, 0] = np.nan
    wfdb.wrsamp(
        "lost", fs=FS, units=["mV", "mV"], sig_name=list(NAMES), p_signal=signal,
        fmt=["16", "16"], adc_gain=[200, 200], baseline=[0, 0], write_dir=str(tmp_path),
    )  # fmt: skip
    with pytest.raises(
        ValueError, match=r"lost\.hea has 360 missing .*'MLII': 360 in 1 run\(s\).*sample 700"
    ):
        read_signal(tmp_path / "lost.hea")
    kept = read_signal(tmp_path / "lost.hea", missing="keep")
    np.testing.assert_array_equal(np.isnan(kept.signal), np.isnan(signal))
    np.testing.assert_allclose(kept.signal[:700], signal[:700], atol=0.005)
    with pytest.raises(ValueError, match="missing='keep'"):
        read_record(tmp_path / "lost")
    assert np.isnan(read_record(tmp_path / "lost", missing="keep").signal).sum() == 360


def test_unknown_lead_lists_the_leads_there(tmp_path, reference):
    path = _write_text(tmp_path / "rec.csv", reference.signal[:10], NAMES)
    with pytest.raises(ValueError, match=r"rec\.csv has no lead 'V9'; its leads are 'MLII', 'V1'"):
        read_signal(path, fs=FS, leads=["V9"])
    with pytest.raises(ValueError, match=r"lead index 2 is out of range.*'MLII', 'V1'"):
        read_signal(path, fs=FS, leads=[2])
    with pytest.raises(ValueError, match=r"selects lead 'MLII' of .*rec\.csv twice"):
        read_signal(path, fs=FS, leads=["MLII", 0])
    with pytest.raises(TypeError, match=r"leads must be a sequence.*\['MLII'\]"):
        read_signal(path, fs=FS, leads="MLII")


def test_empty_signals_are_refused(tmp_path):
    path = _csv(tmp_path / "header_only.csv", [["MLII", "V1"]])
    with pytest.raises(ValueError, match=r"header_only\.csv has a header row but no samples"):
        read_signal(path, fs=FS)
    np.save(tmp_path / "empty.npy", np.zeros((0, 2)))
    with pytest.raises(ValueError, match=r"empty\.npy has no samples"):
        read_signal(tmp_path / "empty.npy", fs=FS)


def test_uneven_time_column_says_where(tmp_path, reference):
    time = np.arange(100) / FS
    time[40:] += 0.5 + 0.4 / FS  # a jump after sample 39 that is no whole number of steps
    path = _write_text(tmp_path / "jump.csv", reference.signal[:100], NAMES, time=time)
    with pytest.raises(
        ValueError, match=r"jump\.csv: time column 'time' is not evenly spaced.*sample 39 to 40"
    ):
        read_signal(path)


def test_rows_a_time_column_skips_are_missing_samples(tmp_path, reference):
    # a recorder that drops 180 samples (0.5 s) writes no row for them
    kept = np.r_[0:40, 220:400]
    path = _write_text(tmp_path / "dropped.csv", reference.signal[kept], NAMES, time=kept / FS)
    with pytest.raises(ValueError, match=r"dropped\.csv has 360 missing.*sample 40.*'keep'"):
        read_signal(path)
    record = read_signal(path, missing="keep")
    assert record.fs == pytest.approx(FS)
    assert record.signal.shape == (400, 2)
    assert np.isnan(record.signal[40:220]).all()
    np.testing.assert_allclose(record.signal[kept], reference.signal[kept], atol=1e-6)


def test_fs_that_disagrees_with_the_file_is_refused(tmp_path, reference):
    path = _write_text(
        tmp_path / "rec.csv", reference.signal[:100], NAMES, time=np.arange(100) / FS
    )
    with pytest.raises(ValueError, match=r"fs=250 Hz disagrees with the 360 Hz of .*rec\.csv"):
        read_signal(path, fs=250)
    np.savez(tmp_path / "rec.npz", signal=reference.signal, fs=FS)
    with pytest.raises(ValueError, match=r"fs=500 Hz disagrees.*rec\.npz"):
        read_signal(tmp_path / "rec.npz", fs=500)


def test_leads_first_npy_is_refused_with_the_transpose_as_fix(tmp_path, reference):
    np.save(tmp_path / "wide.npy", reference.signal.T)
    with pytest.raises(ValueError, match=r"wide\.npy holds shape \(2, 3600\).*leads-first.*x\.T"):
        read_signal(tmp_path / "wide.npy", fs=FS)


def test_bad_arguments_name_themselves(tmp_path, reference):
    path = _write_text(tmp_path / "rec.csv", reference.signal[:10], NAMES)
    with pytest.raises(ValueError, match=r"units must be 'uV'.*got 'mmHg'"):
        read_signal(path, fs=FS, units="mmHg")
    with pytest.raises(TypeError, match="path must be"):
        read_signal(42)  # type: ignore[arg-type]
    np.save(tmp_path / "rec.npy", reference.signal)
    with pytest.raises(ValueError, match=r"time_column applies to text files.*rec\.npy"):
        read_signal(tmp_path / "rec.npy", fs=FS, time_column="t")


def test_a_row_of_empty_cells_is_a_missing_sample_and_a_blank_line_inside_is_refused(tmp_path):
    # a dropped row would move every later sample one step earlier, silently
    two = tmp_path / "two.csv"
    two.write_text("MLII,V1\n0.1,1\n,\n0.3,3\n" + "0.2,2\n" * 50)
    signal = read_signal(two, fs=FS, missing="keep").signal
    assert signal.shape == (53, 2)
    assert np.isnan(signal[1]).all()
    assert signal[2].tolist() == [0.3, 3.0]
    # first, right under the header, it is a missing sample too, not a row of units
    first = tmp_path / "first.csv"
    first.write_text("MLII,V1\n,\n0.3,3\n" + "0.2,2\n" * 50)
    signal = read_signal(first, fs=FS, missing="keep").signal
    assert signal.shape == (52, 2)
    assert np.isnan(signal[0]).all()
    one = tmp_path / "one.csv"
    one.write_text('MLII\n0.1\n""\n0.3\n' + "0.2\n" * 50)
    signal = read_signal(one, fs=FS, missing="keep").signal
    assert signal.shape == (53, 1)
    assert np.isnan(signal[1, 0])
    blank = tmp_path / "blank.csv"
    blank.write_text("MLII\n0.1\n\n0.3\n" + "0.2\n" * 50 + "\n\n")
    with pytest.raises(ValueError, match=r"blank\.csv: line 3 is blank, with samples after it"):
        read_signal(blank, fs=FS, missing="keep")
    trailing = tmp_path / "trailing.csv"
    trailing.write_text("MLII\n0.1\n0.3\n" + "0.2\n" * 50 + "\n\n")
    assert read_signal(trailing, fs=FS).signal.shape == (52, 1)
