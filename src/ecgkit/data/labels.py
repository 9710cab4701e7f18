"""Beat annotation codes of the MIT-BIH databases and the AAMI EC57 beat classes.

The AAMI table (ANSI/AAMI EC57, as used by de Chazal et al. 2004):

=====  =====================================  ==========================================
class  meaning                                MIT-BIH codes
=====  =====================================  ==========================================
N      normal and bundle branch block         ``N`` ``L`` ``R`` ``e`` ``j`` ``B``
S      supraventricular ectopic               ``A`` ``a`` ``J`` ``S`` ``n``
V      ventricular ectopic                    ``V`` ``E`` ``r``
F      fusion of ventricular and normal       ``F``
Q      paced, paced fusion, unclassifiable    ``/`` ``f`` ``Q`` ``?``
=====  =====================================  ==========================================

Everything else is not a beat class: ventricular flutter waves (``!``) and every non-beat
annotation (rhythm changes ``+``, noise ``~``, comments ``"``, signal quality, waveform onsets
...). They are never labelled.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "AAMI_CLASSES",
    "AAMI_MAPPING",
    "BEAT_SYMBOLS",
    "MITBIH_SYMBOLS",
    "NOT_LABELLED",
    "LabelMapping",
    "map_symbols",
]

#: MIT-BIH annotation codes that mark a beat (WFDB's ``isqrs`` set): N L R B A a J S V r F
#: e j n E / f Q ? and ``!`` (ventricular flutter wave). Rhythm changes, noise and comments
#: are not beats.
BEAT_SYMBOLS: frozenset[str] = frozenset("NLRBAaJSVrFejnE/fQ?!")

#: Every annotation code WFDB defines for the MIT-BIH databases: the beat codes plus the
#: non-beat codes (rhythm ``+``, noise ``~``, comment ``"``, signal quality ``|`` ``x``, flutter
#: start/end ``[`` ``]``, waveform ``p`` ``t`` ``u`` ``` ` ``` ``'`` ``^``, measurement ``=``,
#: link ``@``, systole ``s``, T-wave change ``T``, ``*``, ``D``).
MITBIH_SYMBOLS: frozenset[str] = BEAT_SYMBOLS | frozenset("+~\"|x[]ptu`'^=@sT*D")

#: The five AAMI EC57 classes, in the order of the integer labels 0..4.
AAMI_CLASSES: tuple[str, ...] = ("N", "S", "V", "F", "Q")

#: A label mapping: annotation code -> class name, or None for "not labelled".
LabelMapping = Mapping[str, str | None]

_AAMI_GROUPS = {
    "N": "NLRejB",
    "S": "AaJSn",
    "V": "VEr",
    "F": "F",
    "Q": "/fQ?",
}

#: The AAMI EC57 table as a read-only mapping, total over :data:`MITBIH_SYMBOLS`: each code
#: maps to one of :data:`AAMI_CLASSES`, or to None when it is not a beat class.
AAMI_MAPPING: LabelMapping = MappingProxyType(
    {symbol: None for symbol in sorted(MITBIH_SYMBOLS)}
    | {code: name for name, codes in _AAMI_GROUPS.items() for code in codes}
)

#: Integer label of a beat that has no class under the mapping.
NOT_LABELLED = -1


def map_symbols(
    symbols: ArrayLike,
    mapping: LabelMapping = AAMI_MAPPING,
    classes: tuple[str, ...] = AAMI_CLASSES,
) -> NDArray[np.int64]:
    """Turn annotation codes into integer class labels.

    Parameters
    ----------
    symbols : array_like of str, shape (n,)
        Annotation codes, e.g. ``Annotations.symbol``.
    mapping : mapping of str to str or None
        Code -> class name (None: not labelled). Defaults to :data:`AAMI_MAPPING`; pass
        your own to merge or split classes. Codes absent from the mapping are not labelled.
    classes : tuple of str
        Class names in label order; every class name the mapping uses must be in it.

    Returns
    -------
    numpy.ndarray of int64, shape (n,)
        ``classes.index(mapping[symbol])``, or :data:`NOT_LABELLED` (-1).

    Examples
    --------
    >>> map_symbols(["N", "V", "+", "A", "/"]).tolist()
    [0, 2, -1, 1, 4]
    """
    if len(set(classes)) != len(classes) or not classes:
        raise ValueError(f"classes must be non-empty and unique, got {classes!r}")
    unknown = {name for name in mapping.values() if name is not None} - set(classes)
    if unknown:
        raise ValueError(f"mapping uses classes {sorted(unknown)} that are not in {classes}")
    codes = np.asarray(symbols, dtype=str)
    if codes.ndim != 1:
        raise ValueError(f"symbols must be 1-D, got shape {codes.shape}")
    index = {name: i for i, name in enumerate(classes)}
    table = {code: index[name] for code, name in mapping.items() if name is not None}
    return np.fromiter(
        (table.get(str(code), NOT_LABELLED) for code in codes), dtype=np.int64, count=codes.size
    )
