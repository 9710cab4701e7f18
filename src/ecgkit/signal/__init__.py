"""ECG signal processing on numpy arrays: filters, resampling, normalisation, R peaks, beats.

This layer depends on numpy and scipy only (neurokit2 is imported lazily, for its
detectors); it never imports torch. Sampling rates are ``fs`` in Hz, durations are in
seconds at the API and samples inside, and every function takes an ``axis`` for time.
"""

from ecgkit.signal.atrial import (
    AF_CLEARLY_ABSENT_P_WAVE_THRESHOLD,
    AF_HALF_WINDOW,
    AF_IRREGULARITY_THRESHOLD,
    AF_MAX_GAP_S,
    AF_MIN_EPISODE_S,
    AF_P_WAVE_MIN_FS_HZ,
    AF_P_WAVE_THRESHOLD,
    AF_PATTERN_THRESHOLD,
    AF_SLOW_RESPONSE_IRREGULARITY_THRESHOLD,
    AF_VENTRICULAR_RUN_BEATS,
    AFDetection,
    detect_af,
    p_wave_consistency,
    rr_irregularity,
    rr_pattern_ratio,
)
from ecgkit.signal.filters import bandpass, clean, highpass, lowpass, notch, remove_baseline
from ecgkit.signal.gaps import (
    GAP_EDGE_S,
    GAP_MIN_FLAT_S,
    bridge_gaps,
    flat_stretches,
    merge_intervals,
    signal_gaps,
    touches_gaps,
)
from ecgkit.signal.mains import MAINS_HZ, MAINS_NOTCH_MV, mains_amplitude, mains_to_remove
from ecgkit.signal.match import PeakMatch, match_peaks
from ecgkit.signal.normalize import normalize
from ecgkit.signal.pacing import (
    PACED_HALF_WINDOW,
    PACED_MAX_DELAY_SPREAD_S,
    PACED_MIN_BEATS,
    PACED_MIN_SHARE,
    PACED_WINDOW_S,
    PACING_SPIKE_STANDS_OUT,
    paced_beats,
    paced_from_delays,
    pacemaker_spikes,
    pacing_spike_delays,
)
from ecgkit.signal.peaks import (
    FIDUCIALS,
    NEUROKIT_METHODS,
    PEAK_METHODS,
    detect_r_peaks,
    refine_peaks,
)
from ecgkit.signal.quality import (
    REPEAT_MIN,
    REPEAT_NEIGHBOURS,
    REPEAT_RELIABLE,
    beat_repeatability,
    noisy_beats,
    running_median,
    typical_repeatability,
)
from ecgkit.signal.resample import resample, resample_indices, resampled_length
from ecgkit.signal.rhythm import RELATIVE_RR_FEATURES, RR_FEATURES, rr_features
from ecgkit.signal.segment import Beats, EdgePolicy, rr_intervals, segment_beats
from ecgkit.signal.spikes import SPIKE_MAX_S, SPIKE_MV_PER_S, spike_stretches
from ecgkit.signal.steps import STEP_LEVEL_S, STEP_MIN_MV, baseline_steps, remove_steps

__all__ = [
    "AF_HALF_WINDOW",
    "AF_IRREGULARITY_THRESHOLD",
    "AF_MAX_GAP_S",
    "AF_MIN_EPISODE_S",
    "AF_P_WAVE_MIN_FS_HZ",
    "AF_PATTERN_THRESHOLD",
    "AF_P_WAVE_THRESHOLD",
    "AF_CLEARLY_ABSENT_P_WAVE_THRESHOLD",
    "AF_SLOW_RESPONSE_IRREGULARITY_THRESHOLD",
    "AF_VENTRICULAR_RUN_BEATS",
    "AFDetection",
    "Beats",
    "EdgePolicy",
    "FIDUCIALS",
    "GAP_EDGE_S",
    "GAP_MIN_FLAT_S",
    "MAINS_HZ",
    "MAINS_NOTCH_MV",
    "NEUROKIT_METHODS",
    "PACED_HALF_WINDOW",
    "PACED_MAX_DELAY_SPREAD_S",
    "PACED_MIN_BEATS",
    "PACED_MIN_SHARE",
    "PACED_WINDOW_S",
    "PACING_SPIKE_STANDS_OUT",
    "PEAK_METHODS",
    "PeakMatch",
    "RELATIVE_RR_FEATURES",
    "RR_FEATURES",
    "SPIKE_MAX_S",
    "SPIKE_MV_PER_S",
    "STEP_LEVEL_S",
    "STEP_MIN_MV",
    "REPEAT_MIN",
    "REPEAT_RELIABLE",
    "REPEAT_NEIGHBOURS",
    "bandpass",
    "baseline_steps",
    "beat_repeatability",
    "bridge_gaps",
    "clean",
    "detect_af",
    "detect_r_peaks",
    "flat_stretches",
    "highpass",
    "lowpass",
    "mains_amplitude",
    "mains_to_remove",
    "match_peaks",
    "merge_intervals",
    "noisy_beats",
    "typical_repeatability",
    "normalize",
    "notch",
    "p_wave_consistency",
    "paced_beats",
    "paced_from_delays",
    "pacemaker_spikes",
    "pacing_spike_delays",
    "refine_peaks",
    "remove_baseline",
    "remove_steps",
    "resample",
    "resample_indices",
    "resampled_length",
    "rr_features",
    "rr_intervals",
    "rr_irregularity",
    "rr_pattern_ratio",
    "running_median",
    "segment_beats",
    "signal_gaps",
    "spike_stretches",
    "touches_gaps",
]
