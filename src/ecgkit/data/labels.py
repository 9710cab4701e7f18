"""Beat annotation codes of the MIT-BIH databases."""

from __future__ import annotations

__all__ = ["BEAT_SYMBOLS"]

#: MIT-BIH annotation codes that mark a beat (WFDB's ``isqrs`` set): N L R B A a J S V r F
#: e j n E / f Q ? and ``!`` (ventricular flutter wave). Rhythm changes, noise and comments
#: are not beats.
BEAT_SYMBOLS: frozenset[str] = frozenset("NLRBAaJSVrFejnE/fQ?!")
