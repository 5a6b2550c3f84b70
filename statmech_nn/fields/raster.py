"""A spike raster (neurons × time bins) as a binary lattice field.

A raster ``n[i, t] ∈ {0, 1}`` (neuron ``i`` fired in time bin ``t``) becomes the Ising field
``s[i, t] = 2 n[i, t] − 1`` on an ``N × T`` lattice whose first axis is "space" (neurons) and second
is Euclidean time (Bardella, Franchini, Pani, Ferraina, Entropy 26, 495 (2024), arXiv:2310.09178,
sec. 2; iScience 2024, arXiv:2405.12022). Everything here is plain numpy: loading (arrays, ``.npy``,
``.npz``, CSV of spike times), binning, the magnetisation kernel, row/column averages, spectra and
correlation matrices.

References
----------
Bardella G., Franchini S., Pani P., Ferraina S., "Lattice physics approaches for neural networks",
iScience (2024), arXiv:2405.12022; and Entropy 26, 495 (2024), arXiv:2310.09178.
"""
from __future__ import annotations

import os

import numpy as np

from ..errors import InputFileError, ParameterError, ResourceError

__all__ = ["Raster", "as_raster", "load_raster", "spike_times_to_raster", "trial_magnetisation_kernel"]


def _check_binary(values, what="raster"):
    """Return ``values`` as a 2D ``int8`` array of 0/1 or raise a :class:`ParameterError`."""
    try:
        arr = np.asarray(values)
    except ValueError:  # numpy ≥ 1.24 refuses ragged nested lists outright
        arr = np.empty(0, dtype=object)
    if arr.dtype == object:
        raise ParameterError(f"the {what} has rows of different lengths (ragged) or non-numeric entries; "
                             "give a rectangular neurons × time-bins array of 0/1")
    if arr.ndim != 2:
        raise ParameterError(f"the {what} must be 2D (neurons × time bins), got shape {arr.shape}")
    if arr.size == 0:
        raise ParameterError(f"the {what} is empty (shape {arr.shape}); it needs at least one neuron "
                             "and one time bin")
    if arr.dtype == bool:
        return arr.astype(np.int8)
    if not np.issubdtype(arr.dtype, np.number):
        raise ParameterError(f"the {what} has non-numeric dtype {arr.dtype}; give 0/1 or booleans")
    if np.issubdtype(arr.dtype, np.floating) and not np.all(np.isfinite(arr)):
        raise ParameterError(f"the {what} contains NaN or infinite entries; a raster holds only 0 and 1")
    bad = (arr != 0) & (arr != 1)
    if np.any(bad):
        i, t = np.argwhere(bad)[0]
        raise ParameterError(f"the {what} must be binary (0/1 or bool); entry [{i}, {t}] is {arr[i, t]!r}. "
                             "For spike counts use Raster.from_counts (a bin with ≥ 1 spike is 1), for "
                             "±1 spins use Raster.from_spins")
    return arr.astype(np.int8)


class Raster:
    """A binary raster ``n[i, t]`` (neurons × time bins) and its lattice field ``s = 2n − 1``.

    Parameters
    ----------
    activity : array_like of 0/1 or bool, shape (N, T)
        ``activity[i, t] = 1`` when neuron ``i`` fired in bin ``t``.
    bin_width : float, optional
        Width of one time bin (any unit, e.g. ms); carried along by :meth:`rebin` and
        :meth:`decimate`, used for the frequencies of :meth:`power_spectrum`. Default 1.

    Examples
    --------
    >>> r = Raster([[0, 1, 1, 0], [1, 1, 0, 0]], bin_width=5.0)
    >>> r.spins.tolist()
    [[-1, 1, 1, -1], [1, 1, -1, -1]]
    >>> r.rebin(2).activity.tolist(), r.rebin(2).bin_width
    ([[1, 1], [1, 0]], 10.0)
    """

    def __init__(self, activity, bin_width=1.0):
        self.activity = _check_binary(activity)
        bin_width = float(bin_width)
        if not np.isfinite(bin_width) or bin_width <= 0:
            raise ParameterError(f"bin_width must be a positive finite number, got {bin_width}")
        self.bin_width = bin_width

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_spins(cls, spins, bin_width=1.0):
        """Raster from an Ising field ``s ∈ {−1, +1}`` (``n = (s + 1)/2``)."""
        s = np.asarray(spins)
        if s.ndim == 2 and s.size and np.issubdtype(s.dtype, np.number) and np.all(np.isin(s, (-1, 1))):
            return cls(((s + 1) // 2).astype(np.int8), bin_width)
        raise ParameterError("spins must be a non-empty 2D array of −1/+1 (neurons × time bins)")

    @classmethod
    def from_counts(cls, counts, bin_width=1.0):
        """Raster from non-negative integer spike counts per bin (a bin with ≥ 1 spike is active)."""
        c = np.asarray(counts)
        if c.ndim != 2 or c.size == 0 or not np.issubdtype(c.dtype, np.number):
            raise ParameterError("counts must be a non-empty 2D numeric array (neurons × time bins)")
        if not np.all(np.isfinite(c)) or np.any(c < 0) or np.any(c != np.round(c)):
            raise ParameterError("counts must be finite non-negative integers")
        return cls((c > 0).astype(np.int8), bin_width)

    # ------------------------------------------------------------------ basic views
    @property
    def spins(self):
        """The lattice field ``s = 2n − 1`` (int8, shape (N, T))."""
        return (2 * self.activity - 1).astype(np.int8)

    @property
    def shape(self):
        return self.activity.shape

    @property
    def n_neurons(self):
        return self.activity.shape[0]

    @property
    def n_bins(self):
        return self.activity.shape[1]

    def __repr__(self):
        return f"Raster(N={self.n_neurons}, T={self.n_bins}, bin_width={self.bin_width:g})"

    # ------------------------------------------------------------------ coarse graining in time
    def rebin(self, factor):
        """Merge ``factor`` consecutive bins into one (bin width × factor): the new bin is active when
        any merged bin is (a neuron "fired in the wider bin"), the binning rule of Bardella et al.
        Trailing bins that do not fill a whole new bin are dropped."""
        factor = _positive_int(factor, "factor")
        T = (self.n_bins // factor) * factor
        if T == 0:
            raise ParameterError(f"factor {factor} exceeds the number of bins {self.n_bins}")
        merged = self.activity[:, :T].reshape(self.n_neurons, T // factor, factor).max(axis=2)
        return Raster(merged, self.bin_width * factor)

    def decimate(self, factor=2, offset=0):
        """Keep every ``factor``-th time slice starting at ``offset`` (decimation in time; the
        lattice spacing, hence the bin width, grows by ``factor``)."""
        factor = _positive_int(factor, "factor")
        if not 0 <= int(offset) < factor:
            raise ParameterError(f"offset must be in 0..{factor - 1}, got {offset}")
        kept = self.activity[:, int(offset)::factor]
        if kept.shape[1] == 0:
            raise ParameterError("decimation leaves no time bin; the raster is too short")
        return Raster(kept, self.bin_width * factor)

    # ------------------------------------------------------------------ averages
    def row_means(self):
        """Time-averaged magnetisation of each neuron, ``m_i = ⟨s_i(t)⟩_t`` (length N)."""
        return self.spins.mean(axis=1)

    def column_means(self):
        """Population magnetisation of each time bin, ``M(t) = (1/N) Σ_i s_i(t)`` (length T)."""
        return self.spins.mean(axis=0)

    def magnetisation_kernel(self, neurons=1, bins=None, stride=None):
        """The kernel of magnetisations: the mean spin over each ``neurons × bins`` window of the lattice.

        ``K[a, b] = (1/(n_w t_w)) Σ_{i∈a, t∈b} s_i(t)`` for windows of ``n_w = neurons`` rows and
        ``t_w = bins`` columns, moved by ``stride = (row step, column step)`` (default: non-overlapping
        blocks). ``neurons=1`` gives each neuron's local magnetisation in sliding time windows,
        ``neurons=N`` the population magnetisation at coarse time resolution; ``neurons=1, bins=1``
        returns the field itself. This is the block-averaged (Kadanoff) field of one recording; the
        ensemble kernel over repeated trials is :func:`trial_magnetisation_kernel`.

        Returns
        -------
        numpy.ndarray, shape ((N − n_w)//s_n + 1, (T − t_w)//s_t + 1)
        """
        N, T = self.shape
        n_w = _positive_int(neurons, "neurons")
        t_w = _positive_int(T if bins is None else bins, "bins")
        if n_w > N or t_w > T:
            raise ParameterError(f"window {n_w} × {t_w} is larger than the raster {N} × {T}")
        if stride is None:
            stride = (n_w, t_w)
        if np.ndim(stride) == 0:
            stride = (stride, stride)
        s_n, s_t = (_positive_int(v, "stride") for v in stride)
        # 2D cumulative sums give every window sum in O(N T)
        c = np.zeros((N + 1, T + 1))
        c[1:, 1:] = np.cumsum(np.cumsum(self.spins, axis=0, dtype=float), axis=1)
        r0 = np.arange(0, N - n_w + 1, s_n)
        c0 = np.arange(0, T - t_w + 1, s_t)
        R, C = np.ix_(r0, c0)
        total = c[R + n_w, C + t_w] - c[R, C + t_w] - c[R + n_w, C] + c[R, C]
        return total / (n_w * t_w)

    # ------------------------------------------------------------------ spectra and correlations
    def power_spectrum(self, population=False):
        """Temporal power spectrum (periodogram of the mean-subtracted field).

        ``P_i(f) = |Σ_t (s_i(t) − m_i) e^{−2πi f t}|² / T`` per neuron, or of the population
        magnetisation ``M(t)`` when ``population=True``. Returns ``(freqs, power)`` with ``freqs`` in
        cycles per unit of ``bin_width`` (``numpy.fft.rfftfreq``), ``power`` of shape
        (N, T//2+1) or (T//2+1,). By Parseval, ``power.sum``-weighted equals the variance.
        """
        x = self.column_means()[None, :] if population else self.spins.astype(float)
        x = x - x.mean(axis=1, keepdims=True)
        power = np.abs(np.fft.rfft(x, axis=1)) ** 2 / self.n_bins
        freqs = np.fft.rfftfreq(self.n_bins, d=self.bin_width)
        return freqs, (power[0] if population else power)

    def correlation_matrix(self, lag=0, connected=True):
        """Neuron–neuron correlation matrix at time lag ``lag`` (in bins).

        ``C_ij(τ) = (1/(T−τ)) Σ_t s_i(t) s_j(t+τ) − m_i m_j`` (``connected=False`` drops the
        ``m_i m_j``, with ``m`` the time averages over the same bins). ``lag=0`` gives the symmetric
        equal-time matrix with ``1 − m_i²`` on the diagonal.
        """
        lag = int(lag)
        if lag < 0 or lag >= self.n_bins:
            raise ParameterError(f"lag must be in 0..{self.n_bins - 1} bins, got {lag}")
        s = self.spins.astype(float)
        a, b = s[:, : self.n_bins - lag], s[:, lag:]
        corr = a @ b.T / a.shape[1]
        if connected:
            corr -= np.outer(a.mean(axis=1), b.mean(axis=1))
        return corr


def _positive_int(value, name):
    try:
        ok = int(value) == value and int(value) >= 1
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ParameterError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def as_raster(data, bin_width=1.0):
    """A :class:`Raster` from a Raster (returned as is) or a 0/1 / bool array."""
    return data if isinstance(data, Raster) else Raster(data, bin_width)


def spike_times_to_raster(neuron_ids, times, bin_width, n_neurons=None, t_start=0.0, t_stop=None):
    """Bin spike times into a raster.

    Parameters
    ----------
    neuron_ids : array_like of int
        Neuron of each spike, in ``0..n_neurons−1``.
    times : array_like of float
        Time of each spike (same unit as ``bin_width``), ``≥ t_start``.
    bin_width : float
        Width of a time bin; bin ``k`` covers ``[t_start + k w, t_start + (k+1) w)``.
    n_neurons : int, optional
        Number of neurons (default: largest id + 1). Ids outside ``0..n_neurons−1`` are an error.
    t_start, t_stop : float, optional
        Recording window; ``t_stop`` defaults to the last spike (its bin included).

    Examples
    --------
    >>> spike_times_to_raster([0, 1, 0], [0.5, 1.2, 2.9], bin_width=1.0).activity.tolist()
    [[1, 0, 1], [0, 1, 0]]
    """
    bin_width = float(bin_width)
    if not np.isfinite(bin_width) or bin_width <= 0:
        raise ParameterError(f"bin_width must be a positive finite number, got {bin_width}")
    ids = np.asarray(neuron_ids, dtype=float).ravel()
    times = np.asarray(times, dtype=float).ravel()
    if ids.size != times.size:
        raise ParameterError(f"{ids.size} neuron ids but {times.size} spike times; give one id per spike")
    if ids.size == 0:
        raise ParameterError("no spikes: the spike list is empty")
    if not (np.all(np.isfinite(ids)) and np.all(np.isfinite(times))):
        raise ParameterError("spike ids and times must be finite numbers (found NaN or inf)")
    if np.any(ids != np.round(ids)) or np.any(ids < 0):
        raise ParameterError("neuron ids must be non-negative integers")
    if n_neurons is None and ids.max() >= MAX_RASTER_CELLS:
        _check_raster_size(ids.max() + 1, 1, bin_width, times.max(), ids.max())
    ids = ids.astype(np.int64)
    if n_neurons is None:
        n_neurons = int(ids.max()) + 1
    n_neurons = _positive_int(n_neurons, "n_neurons")
    if ids.max() >= n_neurons:
        raise ParameterError(f"unknown neuron id {int(ids.max())}: ids must be in 0..{n_neurons - 1} "
                             f"(n_neurons={n_neurons})")
    if np.any(times < 0):
        raise ParameterError(f"negative spike time {times.min()}; spike times must be ≥ 0")
    if np.any(times < t_start):
        raise ParameterError(f"spike at time {times.min()} before t_start={t_start}")
    if t_stop is None:
        n_bins = int(np.floor((times.max() - t_start) / bin_width)) + 1
    else:
        if t_stop <= t_start:
            raise ParameterError(f"t_stop={t_stop} must exceed t_start={t_start}")
        if np.any(times >= t_stop):
            raise ParameterError(f"spike at time {times.max()} at or after t_stop={t_stop}")
        n_bins = int(np.ceil((t_stop - t_start) / bin_width))
    _check_raster_size(n_neurons, n_bins, bin_width, times.max(), int(ids.max()))
    activity = np.zeros((n_neurons, n_bins), dtype=np.int8)
    k = np.minimum(((times - t_start) // bin_width).astype(np.int64), n_bins - 1)
    activity[ids, k] = 1
    return Raster(activity, bin_width)


#: the largest raster (neurons × time bins, one byte each) a spike list may be binned into
MAX_RASTER_CELLS = 2**30


def _check_raster_size(n_neurons, n_bins, bin_width, last_time, last_id):
    """ResourceError, before any allocation, when a spike list would bin into more than
    :data:`MAX_RASTER_CELLS` cells (e.g. a neuron id 1e12 or a spike at time 1e308)."""
    cells = float(n_neurons) * float(n_bins)
    if cells > MAX_RASTER_CELLS:
        raise ResourceError(
            f"binning these spikes needs a raster of {float(n_neurons):.6g} neurons (largest id "
            f"{float(last_id):.6g}) × "
            f"{float(n_bins):.6g} time bins (last spike at t = {last_time:g}, bin_width = {bin_width:g}): "
            f"about {cells / 2**30:.3g} GiB, over the limit of {MAX_RASTER_CELLS / 2**30:g} GiB; check the "
            f"ids and times (units?), or use a wider bin_width, n_neurons, t_start/t_stop")


def load_raster(source, bin_width=None, n_neurons=None, t_start=0.0, t_stop=None, key=None):
    """Load a raster from an array, a ``.npy``/``.npz`` file, or a CSV of spike times.

    Parameters
    ----------
    source : array_like, Raster or path
        A 0/1 or bool array (neurons × time bins); a ``.npy`` file holding one; a ``.npz`` file (the
        array named ``key``, or its only array); or a ``.csv``/``.txt`` file of spikes, one
        ``neuron_id, time`` row per spike (an optional header line is skipped).
    bin_width : float
        Required for CSV spike times (the binning); for arrays the width of one bin (default 1).
    n_neurons, t_start, t_stop
        Passed to :func:`spike_times_to_raster` for CSV input.

    Raises
    ------
    MissingFileError
        No such file.
    InputFileError
        Empty or unreadable files, a ``.npy``/``.npz`` that numpy cannot read (or that holds pickled
        objects), a CSV that is not UTF-8 text or has a bad line (the line is named).
    ResourceError
        Spike ids or times that would bin into more than :data:`MAX_RASTER_CELLS` cells (refused
        before allocating, with the estimated size).
    ParameterError
        Non-binary values, NaN, ragged rows, negative times, unknown neuron ids.
    """
    if isinstance(source, Raster):
        return source
    if not isinstance(source, (str, os.PathLike)):
        return Raster(source, 1.0 if bin_width is None else bin_width)
    from ..files import read_bytes
    path = os.fspath(source)
    data = read_bytes(path, "raster file")
    if not data:
        raise InputFileError(f"the raster file {path!r} is empty", path)
    ext = os.path.splitext(path)[1].lower()
    width = 1.0 if bin_width is None else bin_width
    if ext in (".npy", ".npz"):
        import io
        import zipfile
        magic = b"\x93NUMPY" if ext == ".npy" else b"PK"
        if not data.startswith(magic):
            raise InputFileError(f"the raster file {path!r} is not a {ext} file (it does not begin with "
                                 f"the bytes {magic!r} of numpy's format)", path)
        try:
            loaded = np.load(io.BytesIO(data), allow_pickle=False)
        except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
            raise InputFileError(f"the raster file {path!r} cannot be read as a {ext} array "
                                 f"({type(exc).__name__}: {exc})", path) from None
        if ext == ".npy" or not isinstance(loaded, np.lib.npyio.NpzFile):
            if not isinstance(loaded, np.ndarray):
                raise InputFileError(f"the raster file {path!r} holds an archive, not one array; name it "
                                     f".npz and say which array with key=", path)
            return Raster(loaded, width)
        with loaded as archive:
            names = list(archive.files)
            if key is None:
                if len(names) != 1:
                    raise ParameterError(f"{path!r} holds arrays {names}; say which with key=")
                key = names[0]
            if key not in names:
                raise ParameterError(f"{path!r} has no array {key!r}; it holds {names}")
            try:
                array = archive[key]
            except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
                raise InputFileError(f"the array {key!r} of {path!r} cannot be read ({exc})", path) from None
            return Raster(array, width)
    if ext in (".csv", ".txt", ".tsv"):
        if bin_width is None:
            raise ParameterError("a CSV of spike times needs bin_width= to bin the spikes into a raster")
        ids, times = _read_spike_csv(path, data)
        return spike_times_to_raster(ids, times, bin_width, n_neurons, t_start, t_stop)
    raise ParameterError(f"unknown raster file type {ext!r}; use .npy, .npz or .csv (neuron_id, time)")


def _read_spike_csv(path, data):
    """Rows ``neuron_id, time`` (comma, tab or whitespace separated; a non-numeric first line is a
    header) of the bytes ``data`` of ``path``; line numbers in messages are those of the file."""
    from ..files import decode_text
    ids, times = [], []
    first = True
    for number, raw in enumerate(decode_text(data, path, "spike file").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.replace(",", " ").replace(";", " ").split()
        if len(fields) != 2:
            raise InputFileError(f"{path!r} line {number}: expected 2 columns (neuron_id, time), "
                                 f"got {len(fields)}: {line!r}", path, number)
        try:
            i, t = float(fields[0]), float(fields[1])
        except ValueError:
            if first:
                first = False
                continue  # header line
            raise InputFileError(f"{path!r} line {number}: non-numeric entry in {line!r}", path, number) from None
        first = False
        ids.append(i)
        times.append(t)
    if not ids:
        raise InputFileError(f"{path!r} holds no spikes (no numeric rows)", path)
    return np.array(ids), np.array(times)


def trial_magnetisation_kernel(trials, neurons=1, bins=1, stride=None):
    """Kernel of magnetisations over repeated trials: ``m_i(t) = (1/R) Σ_r s_i^{(r)}(t)``, block-averaged.

    The ensemble average over ``R`` repetitions of the same experiment (trials aligned to the same
    event) of the lattice field, the "kernel" whose row and column averages, spectra and correlation
    matrices Bardella et al. study (Entropy 26, 495 (2024), secs. 3.1.9, 3.2 and 4.2.4), then averaged over
    ``neurons × bins`` windows as in :meth:`Raster.magnetisation_kernel` (default 1 × 1: no blocking).

    Parameters
    ----------
    trials : sequence of Raster or array_like of shape (R, N, T)
        Trials of equal shape.

    Returns
    -------
    numpy.ndarray
        ``m`` of shape (N, T) for 1 × 1 windows, else the block-averaged kernel.

    Examples
    --------
    >>> trial_magnetisation_kernel([[[1, 0]], [[1, 1]]]).tolist()
    [[1.0, 0.0]]
    """
    if isinstance(trials, Raster):
        trials = [trials]
    try:
        items = [as_raster(trial) for trial in trials]
    except TypeError:
        raise ParameterError("trials must be a sequence of rasters or an (R, N, T) array") from None
    if not items:
        raise ParameterError("no trials given")
    shapes = {item.shape for item in items}
    if len(shapes) != 1:
        raise ParameterError(f"trials must share one shape (neurons × bins), got {sorted(shapes)}; cut them "
                             "to a common window")
    kernels = [item.magnetisation_kernel(neurons=neurons, bins=bins, stride=stride) for item in items]
    return np.mean(kernels, axis=0)
