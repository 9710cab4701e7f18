"""ECG lead names as recorders and exports write them.

One place for reading a channel's name: which lead it names ("ECG II [mV]", "EKG_II",
"Lead-II" are lead II) and whether it is an ECG channel at all ("ECG", "EKG 2", "V5"
are; "Pleth", "Resp", "EEG C3" are not), so that a polysomnogram's or a monitor's other
channels are not taken for the ECG.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["STANDARD_LEADS", "first_ecg_channel", "lead_key", "named_like_ecg"]

# a unit or note in brackets, and the words around a lead's name that do not name it
_BRACKETED = re.compile(r"[(\[{].*?[)\]}]")
_SEPARATORS = re.compile(r"[\s_\-.:/,;]+")
_NOT_A_LEAD = frozenset({"ecg", "ekg", "lead", "mv", "uv", "µv"})
#: The standard leads as :func:`lead_key` writes them (Holter's modified limb leads,
#: DI-DIII).
STANDARD_LEADS = frozenset(
    {"i", "ii", "iii", "avr", "avl", "avf", "v1", "v2", "v3", "v4", "v5", "v6"}
    | {"mli", "mlii", "mliii", "ml2", "di", "dii", "diii", "d2"}
)
_ECG_WORD = re.compile(r"ecg|ekg", re.IGNORECASE)


def lead_key(name: str) -> str:
    """A lead name as compared: "ECG II [mV]", "EKG_II", "Lead-II" and "ii" are all "ii".

    Lower case, without a unit or note in brackets, separators, or the words ECG, EKG and
    lead; a channel number stays ("ECG2" is "2").
    """
    words = _SEPARATORS.split(_BRACKETED.sub(" ", name.lower()).strip())
    return "".join(word for word in words if word and word not in _NOT_A_LEAD)


def named_like_ecg(name: str) -> bool:
    """True for a channel whose name says ECG ("ECG", "EKG 2") or names a standard lead."""
    return bool(_ECG_WORD.search(name)) or lead_key(name) in STANDARD_LEADS


def first_ecg_channel(names: Sequence[str]) -> int | None:
    """Index of the first of ``names`` that :func:`named_like_ecg`, None where none is."""
    return next((i for i, name in enumerate(names) if named_like_ecg(name)), None)
