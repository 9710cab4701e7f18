import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecgkit.data import (
    AAMI_CLASSES,
    AAMI_MAPPING,
    BEAT_SYMBOLS,
    MITBIH_SYMBOLS,
    NOT_LABELLED,
    map_symbols,
)


def test_aami_mapping_is_total_over_the_mitbih_symbol_set():
    assert set(AAMI_MAPPING) == MITBIH_SYMBOLS
    assert set(AAMI_MAPPING.values()) == {*AAMI_CLASSES, None}


def test_aami_table_matches_ec57_groups():
    groups = {name: {s for s, c in AAMI_MAPPING.items() if c == name} for name in AAMI_CLASSES}
    assert groups == {
        "N": set("NLRejB"),
        "S": set("AaJSn"),
        "V": set("VEr"),
        "F": {"F"},
        "Q": set("/fQ?"),
    }


def test_non_beats_and_flutter_waves_are_not_labelled():
    non_beats = MITBIH_SYMBOLS - BEAT_SYMBOLS
    assert all(AAMI_MAPPING[s] is None for s in non_beats | {"!"})
    assert (map_symbols(sorted(non_beats)) == NOT_LABELLED).all()


@given(st.lists(st.sampled_from(sorted(MITBIH_SYMBOLS)), max_size=50))
def test_every_mitbih_symbol_gets_a_label_in_range(symbols):
    labels = map_symbols(symbols)
    assert labels.shape == (len(symbols),)
    assert ((labels >= NOT_LABELLED) & (labels < len(AAMI_CLASSES))).all()
    for symbol, label in zip(symbols, labels, strict=True):
        expected = AAMI_MAPPING[symbol]
        assert label == (NOT_LABELLED if expected is None else AAMI_CLASSES.index(expected))


def test_custom_mapping_and_classes():
    labels = map_symbols(
        ["N", "V", "A", "x"], {"N": "normal", "V": "ectopic", "A": "ectopic"}, ("normal", "ectopic")
    )
    np.testing.assert_array_equal(labels, [0, 1, 1, -1])


def test_mapping_to_an_unknown_class_is_rejected():
    with pytest.raises(ValueError, match="not in"):
        map_symbols(["N"], {"N": "X"})
    with pytest.raises(ValueError, match="1-D"):
        map_symbols([["N"]])
