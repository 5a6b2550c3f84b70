"""Public Monte Carlo API: :func:`monte_carlo`, :func:`sweep` and :func:`crosscheck`."""
from __future__ import annotations

import math
import numbers

import numpy as np

from ..errors import ParameterError, StatmechError
from .systems import check_load, check_memory, check_sampler, check_sampler_point

__all__ = ["monte_carlo", "sweep", "crosscheck", "Observable", "MCResult", "CrosscheckResult",
           "hopfield_retrieval_crosscheck", "STATUS"]


class Observable:
    """A Monte Carlo estimate: ``mean`` ± ``stderr`` over time and disorder samples.

    Attributes
    ----------
    mean, stderr : float
    tau : float
        Integrated autocorrelation time in sweeps (mean over samples) from the binning analysis.
    sample_means, sample_errors : numpy.ndarray
        Per-disorder-sample time averages and their autocorrelation-aware errors.
    """

    def __init__(self, mean, stderr, tau, sample_means, sample_errors):
        self.mean = float(mean)
        self.stderr = float(stderr)
        self.tau = float(tau)
        self.sample_means = np.asarray(sample_means, dtype=float)
        self.sample_errors = np.asarray(sample_errors, dtype=float)

    def __repr__(self):
        return f"{self.mean:.6g} ± {self.stderr:.2g}"

    def __format__(self, spec):
        spec = spec or ".4f"
        return f"{format(self.mean, spec)} ± {format(self.stderr, spec)}"


def _observables(results):
    from .runner import combine_samples
    names = list(results[0]["observables"])
    out = {}
    for name in names:
        stats = np.array([r["observables"][name] for r in results])
        mean, err = combine_samples(stats[:, 0], stats[:, 1])
        out[name] = Observable(mean, err, stats[:, 2].mean(), stats[:, 0], stats[:, 1])
    return out


class MCResult:
    """Observables of a Monte Carlo run, by name: ``mc["m"].mean``, ``mc["m"].stderr``.

    Names: the overlaps of the condensed patterns (``m``, or ``m_1``, ``m_2``, ... as in the solver;
    the magnetisation ``m`` for Curie–Weiss and SK), ``energy`` (per spin), ``acceptance`` (accepted
    flips per spin and sweep; for block Gibbs the fraction of visible units that changed), and with two
    replicas ``q`` (the overlap ``(1/N) Σ σ_i^1 σ_i^2``) and ``q2`` (its square). SK at ``T > 0`` adds
    ``sk_identity_residual`` (see :attr:`diagnostics`). Declared models: each term's own order parameters
    (the Mattis overlaps of a Hebbian term, the magnetisation of a ferromagnetic one, under the
    engine's names), for ``{0, 1}`` units the self-overlap ``q_d``, and for spherical units
    ``info["rotation_angle"]``, the largest rotation angle tuned in burn-in.

    Attributes
    ----------
    model : str
    N : int
    parameters : dict
        Validated parameters (defaults filled in), temperature as ``T``.
    info : dict
        Facts of the samples, e.g. ``P`` (number of patterns) for Hopfield.
    settings : dict
        samples, sweeps, burn_in, seed, dynamics, replicas, tempering, init, sampler_options.
    swap_rates : list of float
        Replica-exchange acceptance between adjacent temperatures (parallel tempering).
    diagnostics : dict
        ``equilibrated`` (bool or None) and, for SK, ``sk_identity``: the measured
        ``u − [−(J0/2)(⟨m²⟩ − 1/N) − (β/2)(1 − ⟨q²⟩) − h⟨m⟩]`` with its error; zero in equilibrium
        (with J0 = h = 0: ``u = −(β/2)(1 − ⟨q²⟩)``). Out of equilibrium the energy is too high and
        ``⟨q²⟩`` too low, so the residual is positive.
    """

    def __init__(self, model, N, parameters, settings, results):
        self.model = model
        self.N = N
        self.parameters = dict(parameters)
        self.settings = dict(settings)
        self.observables = _observables(results)
        self.info = dict(results[0]["info"])
        swaps = np.sum([np.asarray(r["swaps"], dtype=float).reshape(-1, 2) for r in results], axis=0)
        self.swap_rates = [float(a / t) if t else math.nan for a, t in swaps]
        self.diagnostics = {"equilibrated": None}
        residual = self.observables.get("sk_identity_residual")
        if residual is not None:
            self.diagnostics["sk_identity"] = residual
            self.diagnostics["equilibrated"] = bool(abs(residual.mean) <= 3 * residual.stderr)

    def __getitem__(self, name):
        try:
            return self.observables[name]
        except KeyError:
            raise KeyError(f"no observable {name!r}; this run has {', '.join(self.observables)}") from None

    def __contains__(self, name):
        return name in self.observables

    def __iter__(self):
        return iter(self.observables)

    def keys(self):
        return self.observables.keys()

    def items(self):
        return self.observables.items()

    def __repr__(self):
        pars = ", ".join(f"{k}={v:g}" for k, v in self.parameters.items())
        obs = ", ".join(f"{k}={v!r}" for k, v in self.observables.items())
        return f"<MCResult {self.model!r} N={self.N} at {pars}: {obs}>"

    def _repr_markdown_(self):
        pars = ", ".join(f"{k} = {v:g}" for k, v in self.parameters.items())
        lines = [f"**Monte Carlo, {self.model}**, N = {self.N}, {pars}, "
                 f"{self.settings['samples']} sample(s) × {self.settings['sweeps']} sweeps",
                 "", "| observable | mean | stderr | τ_int (sweeps) |", "| --- | --- | --- | --- |"]
        for k, v in self.observables.items():
            lines.append(f"| {k} | {v.mean:.6g} | {v.stderr:.2g} | {v.tau:.3g} |")
        return "\n".join(lines)

    def _repr_html_(self):
        from html import escape
        pars = ", ".join(f"{escape(k)} = {v:g}" for k, v in self.parameters.items())
        rows = "".join(f"<tr><td>{escape(k)}</td><td>{v.mean:.6g}</td><td>{v.stderr:.2g}</td>"
                       f"<td>{v.tau:.3g}</td></tr>" for k, v in self.observables.items())
        eq = self.diagnostics.get("equilibrated")
        extra = "" if eq is None else f"<p>equilibrated (SK identity): {'yes' if eq else 'no'}</p>"
        return (f"<div><p><b>Monte Carlo, {escape(self.model)}</b>, N = {self.N}, {pars}; "
                f"{self.settings['samples']} sample(s) × {self.settings['sweeps']} sweeps "
                f"({escape(str(self.settings['dynamics']))})</p><table><thead><tr><th>observable</th>"
                f"<th>mean</th><th>stderr</th><th>τ_int (sweeps)</th></tr></thead><tbody>{rows}</tbody>"
                f"</table>{extra}</div>")


def _resolve_model(model):
    if isinstance(model, str):
        from ..models import model as make_model
        return make_model(model)
    if not hasattr(model, "parameters") or not hasattr(model, "name"):
        raise ParameterError(f"model must be a statmech_nn model or a registry name, got {model!r}")
    return model


def _sampler(model):
    """``(task key, options)`` of the sampler of ``model``: a registry model's own sampler where it
    simulates the model's options, otherwise the declared-model sampler built from the model's
    declaration (:mod:`statmech_nn.montecarlo.declared`), with the declaration's plain description
    as options."""
    from ..models import available_models, model_class
    from .systems import DECLARED, registry_simulates
    name = model.name
    registered = name in available_models() and type(model) is model_class(name)
    if registered and registry_simulates(name, model.options):
        return name, dict(model.options)
    if hasattr(model, "sampler_spec") and hasattr(model, "declaration"):
        from .declared import spec_of
        return DECLARED, spec_of(model)
    return name, dict(model.options)     # check_sampler says which models have a sampler


def _positive_int(name, value, minimum, why=""):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ParameterError(f"{name} must be an integer >= {minimum}{why}, got {value!r}")
    return int(value)


def _tasks(model, N, points, samples, sweeps, burn_in, seed, dynamics, replicas, tempering, init,
           sampler_options=None):
    """Validated settings and one task per (point, sample)."""
    N = _positive_int("N", N, 2, " (number of spins)")
    samples = _positive_int("samples", samples, 1, " (number of disorder samples)")
    sweeps = _positive_int("sweeps", sweeps, 2, " (measurement sweeps; the error bar needs two)")
    burn_in = sweeps // 4 if burn_in is None else _positive_int("burn_in", burn_in, 0)
    replicas = _positive_int("replicas", replicas, 1)
    seed = _positive_int("seed", seed, 0)
    key, options = _sampler(model)
    init = check_sampler(key, dynamics, init)
    try:
        ladder = [] if tempering is None else sorted(float(t) for t in np.atleast_1d(tempering))
    except (TypeError, ValueError):
        raise ParameterError(f"tempering must be a list of temperatures (numbers), got {tempering!r}") from None
    if tempering is not None and dynamics == "rbm":
        raise ParameterError("parallel tempering is not available with dynamics='rbm'; use "
                             "'metropolis' or 'heat-bath'")
    tasks, parameters = [], []
    for point in points:
        values = model.parameters(**point)
        shapes = {k: np.shape(v) for k, v in values.items() if np.shape(v) != ()}
        if shapes:
            raise ParameterError(f"monte_carlo takes one parameter point; got arrays for "
                                 f"{', '.join(shapes)} (use snn.crosscheck or montecarlo.sweep for a path)")
        params = {k: float(v) for k, v in values.items()}
        T = params.get("T")
        if T is None:
            raise ParameterError(f"model {model.name!r} has no temperature T")
        if dynamics == "rbm" and T == 0:
            raise ParameterError("dynamics='rbm' needs T > 0 (the hidden units have variance T); use "
                                 "dynamics='metropolis' or 'heat-bath' for zero-temperature dynamics")
        if any(not (math.isfinite(t) and t > T) for t in ladder):
            raise ParameterError(f"tempering temperatures must be finite and above T = {T:g}, got "
                                 f"{ladder}")
        chosen = check_sampler_point(key, options, N, params, sampler_options)
        check_load(key, options, N, params)
        check_memory(key, options, N, params, replicas * (1 + len(ladder)), sweeps)
        parameters.append(params)
        for s in range(samples):
            task = {"model": key, "options": options, "N": N, "params": params,
                    "dynamics": dynamics, "init": init, "sweeps": sweeps, "burn_in": burn_in,
                    "replicas": replicas, "tempering": ladder, "seed": seed, "sample": s}
            if chosen:     # only when given: the keys of tasks without them (resume files) stay as they were
                task["sampler_options"] = chosen
            tasks.append(task)
    settings = {"samples": samples, "sweeps": sweeps, "burn_in": burn_in, "seed": seed,
                "dynamics": dynamics, "replicas": replicas, "tempering": ladder, "init": init,
                "sampler_options": chosen if points else {}}
    return N, settings, parameters, tasks


def _sizes(N):
    """``N`` (an int or a list of ints) as a non-empty list."""
    if isinstance(N, numbers.Integral) and not isinstance(N, bool):
        return [N]
    try:
        sizes = list(N)
    except TypeError:
        sizes = []
    if not sizes:
        raise ParameterError(f"N must be an integer >= 2 or a non-empty list of them, got {N!r}")
    return sizes


def _plan(model, points, N, samples, sweeps, burn_in, seed, dynamics, replicas, tempering, init,
          sampler_options):
    """Every (point, N, sample) task of a run, validated before anything runs: ``(tasks, meta,
    config)`` with ``meta`` one ``(N, settings, parameters, first task, count)`` per (point, N) and
    ``config`` the run's configuration (the header of its resume journal)."""
    sizes = _sizes(N)
    if not points:
        raise ParameterError("points must be a non-empty list of parameter dicts")
    all_tasks, meta, validated = [], [], []
    for point in points:
        for n in sizes:
            n_ok, settings, parameters, tasks = _tasks(model, n, [point], samples, sweeps, burn_in, seed,
                                                       dynamics, replicas, tempering, init, sampler_options)
            meta.append((n_ok, settings, parameters[0], len(all_tasks), len(tasks)))
            all_tasks += tasks
        validated.append(parameters[0])
    config = {"model": model.name, "options": dict(model.options), "points": validated,
              "N": [m[0] for m in meta[:len(sizes)]], **meta[0][1]}
    return all_tasks, meta, config


def _journal(resume, config, tasks):
    """The resume journal of this run, read and checked before any work (None without ``resume``)."""
    if resume is None:
        return None
    from ..journal import Journal
    from ..parallel import task_key
    return Journal.open(resume, config, {task_key(t) for t in tasks})


def _run(tasks, executor, progress, journal, desc):
    """Run the tasks with one progress bar in sweeps (burn-in included), shown from the start of the
    compilation; tasks on threads of this process report their sweeps as they go, others when done.
    Finished tasks are appended to ``journal`` (if any) as they complete."""
    import functools
    import threading

    from ..parallel import in_process, run_resumable
    from ..progress import progress_bar
    from .runner import run_task, warm_up
    per_task = tasks[0]["burn_in"] + tasks[0]["sweeps"] if tasks else 0
    bar = progress_bar(per_task * len(tasks), desc, progress, unit="sweep")
    lock = threading.Lock()

    def report(k):
        with lock:
            bar.update(k)
    try:
        bar.set_postfix_str("compiling kernels")
        warm_up(tasks)      # compile in the parent: worker processes then only read numba's cache
        bar.set_postfix_str("")
        if in_process(executor):
            return run_resumable(functools.partial(run_task, report=report), tasks, journal, executor,
                                 lambda i: None, desc)
        return run_resumable(run_task, tasks, journal, executor, lambda i: report(per_task), desc)
    finally:
        bar.close()


def _results(model, meta, results):
    return [MCResult(model.name, n, par, st, results[start:start + count])
            for n, st, par, start, count in meta]


def monte_carlo(model, N, samples=4, sweeps=1000, burn_in=None, seed=0, executor=None,
                dynamics="metropolis", replicas=2, tempering=None, init=None, progress=None,
                sampler_options=None, resume=None, **params):
    """Simulate ``model`` at one parameter point: observables averaged over time and disorder.

    The sampler comes from the model (its registry name and options); the Hamiltonian is exactly
    the one the replica engine derived (see :mod:`statmech_nn.montecarlo.systems`).

    Parameters
    ----------
    model : Model or str
        A model with a sampler (:mod:`statmech_nn.montecarlo.systems`): ``curie-weiss``, ``sk``,
        ``hopfield`` (any ``patterns`` option; diluted or biased patterns, option ``pattern``, with
        real-valued centred entries), ``rbm``, ``p-spin``, ``dense-hopfield``, ``multitasking-hebbian``,
        ``dense-hebbian`` (supervised or unsupervised learning from ``M`` examples per archetype); and
        any model declared from blocks (:func:`statmech_nn.declare`) with Ising, ``{0, 1}`` or spherical
        units and pair terms (ferromagnetic, Gaussian, Hebbian couplings, fields), simulated from its
        declaration (:mod:`statmech_nn.montecarlo.declared`; registry models whose options their own
        sampler does not simulate, e.g. ``sk`` with spherical units, too).
    N : int
        Number of spins, ``>= 2``.
    samples : int
        Disorder samples (independent patterns/couplings), one task each.
    sweeps, burn_in : int
        Measurement sweeps (``>= 2``) after ``burn_in`` sweeps (default ``sweeps // 4``) per sample.
    seed : int
        Root seed. Sample ``s`` uses ``SeedSequence(seed, spawn_key=(s,))``; its children seed the
        disorder, the start configurations and one xoshiro256** stream per chain, so results are
        bit-identical for any executor and number of workers.
    executor : None, "threads", "processes", int, Executor or dask Client
        Where the samples run (see :mod:`statmech_nn.parallel`); default: local threads.
    dynamics : {"metropolis", "heat-bath", "rbm"}
        Single-spin Metropolis or heat-bath (Glauber) sweeps; ``T = 0`` is accepted and means
        zero-temperature dynamics (flips that lower the energy always, that raise it never; ties:
        always for Metropolis, with probability 1/2 for heat bath). ``"rbm"`` (Hopfield only,
        ``T > 0``): block Gibbs sampling of the restricted Boltzmann machine with Gaussian hidden units
        whose marginal is the Hopfield model (Agliari et al., arXiv:1407.5300, sec. 5; Barra,
        Bernacchia, Santucci, Contucci, Neural Networks 34, 1 (2012)): with energy
        ``E(σ, z) = Σ_μ z_μ²/2 − (1/√N) Σ_iμ ξ_i^μ σ_i z_μ − h Σ_i σ_i`` at temperature ``T`` the hidden
        units have precision ``β`` (variance ``T``), and
        ``∫ dz e^{−β(z²/2 − z u)} ∝ e^{β u²/2}`` with ``u = (1/√N) Σ_i ξ_i σ_i`` gives
        ``e^{(β/2N)(Σ_i ξ_i σ_i)²}`` per pattern: the Hopfield weight, ``i = j`` terms included (a
        constant ``P/2`` that the reported energy removes).
    replicas : int
        Real replicas per sample (same disorder, independent noise); 2 or more give ``q``.
    tempering : sequence of float, optional
        Temperatures above ``T`` added as a parallel-tempering ladder (exchanges after every sweep);
        observables are measured at ``T``; :attr:`MCResult.swap_rates` reports the exchanges.
    init : {"pattern", "random"}, optional
        Start: the condensed pattern(s) (all up for Curie–Weiss; default for Hopfield and Curie–Weiss)
        or random (default for SK).
    progress : bool, optional
        Progress bar in sweeps (tqdm), from the compilation of the kernels on: ``True`` always,
        ``False`` never, ``None`` (default) once the run has lasted a second, on a terminal or in a
        notebook (:func:`statmech_nn.progress.progress_bar`).
    sampler_options : dict, optional
        Choices of the finite system that are not parameters of the model's theory
        (:data:`statmech_nn.montecarlo.systems.SAMPLER_OPTIONS`). ``dense-hebbian`` supervised:
        ``{"M": 100}`` (the default), the number of examples per archetype; the RS theory depends on
        the dataset only through ``rho`` and takes the example average Gaussian (large ``M``).
    resume : str or os.PathLike, optional
        A resume journal (:mod:`statmech_nn.journal`): each finished disorder sample is appended to
        it, and a rerun with the same arguments takes the recorded samples from it instead of running
        them again. The file is never truncated or rewritten; a file that is not a journal of this
        run is refused untouched.
    **params
        Model parameters (``T`` or ``beta``, ``alpha``, ``h``, ``J``, ``J0`` ...), validated by the model.

    Returns
    -------
    MCResult

    Raises
    ------
    ParameterError
        ``N < 2``, ``sweeps < 2``, negative ``burn_in``, unknown parameters or out-of-range values,
        a model without a sampler or a structural option its sampler does not simulate, an unknown
        dynamics, an unknown or invalid sampler option, a declared model with units or terms the
        declared sampler does not simulate (the message names the block); a load that
        ``P = round(α N^k)`` changes by more than 1 % (refused, see
        :func:`~statmech_nn.montecarlo.systems.check_load`; ``α = 0`` means the condensed patterns
        alone).
    ResourceError
        A sample estimated to need more than half of the machine's memory (e.g. ``alpha=1e6`` at
        ``N=100``: 10⁸ patterns), a dense Hebbian pattern matrix over 256 MiB or the dense couplings of a
        declared model over 1 GiB; refused before anything is drawn, the message giving the estimate.
    ResumeError
        ``resume`` names a file that is not a journal of this run (see :func:`sweep`).

    References
    ----------
    Amit, Gutfreund, Sompolinsky, Ann. Phys. 173, 30 (1987), sec. 2 (Hopfield Hamiltonian);
    Katzgraber, Palassini, Young, PRB 63, 184422 (2001) (SK equilibration test).

    Examples
    --------
    >>> import statmech_nn as snn
    >>> mc = snn.monte_carlo("hopfield", N=500, samples=2, sweeps=200, alpha=0.05, T=0.1)
    >>> 0.95 < mc["m"].mean <= 1
    True
    """
    model = _resolve_model(model)
    if not (isinstance(N, numbers.Integral) and not isinstance(N, bool)):
        raise ParameterError(f"N must be an integer >= 2 (number of spins), got {N!r}")
    tasks, meta, config = _plan(model, [params], N, samples, sweeps, burn_in, seed, dynamics, replicas,
                                tempering, init, sampler_options)
    journal = _journal(resume, config, tasks)
    results = _run(tasks, executor, progress, journal, f"MC {model.name} N={N}")
    return _results(model, meta, results)[0]


def sweep(model, points, N, samples=4, sweeps=1000, burn_in=None, seed=0, executor=None,
          dynamics="metropolis", replicas=2, tempering=None, init=None, progress=None, resume=None,
          sampler_options=None, **params):
    """Monte Carlo at every parameter point of ``points`` and every size in ``N``.

    ``points`` is a list of parameter dicts (merged over ``params``), ``N`` an int or a list of ints.
    All (point, N, sample) tasks go to ``executor`` at once. With ``resume`` (a file path) every
    finished task is appended to that journal (:mod:`statmech_nn.journal`) as it completes, and a
    rerun with the same arguments skips the finished tasks: a killed sweep loses only the tasks in
    flight. The journal is append-only: a half-written last line (a kill while writing) is ignored,
    never deleted; a file that is not a journal, or the journal of a run with other arguments (the
    message names which), raises :class:`~statmech_nn.errors.ResumeError` and is left untouched.
    Everything (parameters, sizes, memory, the journal) is checked before any sample runs.

    ``sampler_options`` as in :func:`monte_carlo`.

    Returns a list of :class:`MCResult`, point-major (``[(p0, N0), (p0, N1), ..., (p1, N0), ...]``).
    Each point uses the same ``seed`` as a standalone :func:`monte_carlo` call, so it reproduces it.
    """
    model = _resolve_model(model)
    tasks, meta, config = _plan(model, [{**params, **dict(p)} for p in points], N, samples, sweeps, burn_in,
                                seed, dynamics, replicas, tempering, init, sampler_options)
    journal = _journal(resume, config, tasks)
    return _results(model, meta, _run(tasks, executor, progress, journal, f"MC sweep {model.name}"))


def _path_points(path):
    """``{"T": [...]}`` (arrays broadcast together) or a list of dicts -> list of point dicts."""
    if isinstance(path, dict):
        arrays = {k: np.atleast_1d(np.asarray(v, dtype=float)) for k, v in path.items()}
        try:
            shape = np.broadcast_shapes(*(a.shape for a in arrays.values()))
        except ValueError as exc:
            raise ParameterError(f"the arrays of path must broadcast together: {exc}") from None
        flat = {k: np.broadcast_to(a, shape).ravel() for k, a in arrays.items()}
        return [{k: float(v[i]) for k, v in flat.items()} for i in range(int(np.prod(shape)))]
    return [dict(p) for p in path]


#: what a row's ``status`` means (the theory's verdict on the branch the chain is in)
STATUS = {
    "equilibrium": "the branch of lowest free energy (the phase)",
    "metastable": "a local minimum of f, not the lowest: the chain stays in it for the run",
    "RS unstable": "replicon < 0: replica symmetry is broken there, the RS value is approximate",
    "absent": "no such branch in the N → ∞ theory: the chain holds it only at finite N",
}
#: order parameters closer to zero than this many times 1/√N count as zero in a finite-N chain
NOISE_FLOOR = 3.0


class CrosscheckResult:
    """Monte Carlo against the solver along a path: ``.rows``, ``.table()``, ``.plot(ax)``.

    Each Monte Carlo point is compared with the branch its chain is in, read from its measured
    order parameters (e.g. a Hopfield chain with ``m`` far from zero is in the retrieval state,
    one with ``m`` within ``3/√N`` of zero in the spin glass), not with whatever branch the solver
    finds from a guess: past ``alpha_c`` a finite chain can stay in the retrieval state that the
    ``N → ∞`` theory no longer has, and the row says so instead of giving a number of σ.

    Attributes
    ----------
    rows : list of dict
        One per (point, N): the path parameters, ``N``, ``branch`` (the chain's branch), ``theory``
        (that branch's value; NaN where the theory has no such branch, ``converged`` False),
        ``status`` (a key of :data:`STATUS`; ``None`` without branch information), ``mean``,
        ``stderr`` and ``z = (mean − theory) / stderr`` (NaN where the branch is absent, or where the
        theory is zero by symmetry and the measurement within the finite-size floor ``3/√N``). The
        disorder samples of a point are classified one by one: where they are in different branches
        (some chains left the retrieval state, some did not), each branch gets its own row, with
        ``samples`` of ``of`` and the mean and error of those samples.
    x : str
        The path parameter that varies (the plot's abscissa).
    curve : tuple of arrays or None
        ``(x values, theory, converged, stable)`` of the solver on 201 points between the ends of the
        path (when one parameter varies), drawn as the theory line (dashed where unstable);
        ``converged`` is False where the solution is not on the branch the line starts in,
        ``curve_branch``.
    observable : str
    results : list of MCResult
    """

    def __init__(self, model, observable, x, points, sizes, theory, converged, results, curve=None,
                 branches=None, chains=None):
        from .runner import combine_samples
        self.model = model
        self.curve = curve
        self.curve_branch = None
        self.observable = observable
        self.x = x
        # the varying parameter first in the table
        self.points = [{x: p[x], **p} if x in p else dict(p) for p in points]
        self.sizes = sizes
        self.results = results
        self.rows = []
        k = 0
        for i, point in enumerate(self.points):
            for n in sizes:
                obs = results[k][observable]
                labels = chains[k] if chains is not None else [None] * len(obs.sample_means)
                k += 1
                groups = {}
                for s, label in enumerate(labels):
                    groups.setdefault(label, []).append(s)
                for chain, idx in groups.items():
                    mean, err = (obs.mean, obs.stderr) if len(groups) == 1 else \
                        combine_samples(obs.sample_means[idx], obs.sample_errors[idx])
                    self.rows.append(self._row(point, n, chain, len(idx), len(labels), mean, err,
                                               branches[i] if branches is not None else None,
                                               float(theory[i]), bool(converged[i])))

    @staticmethod
    def _row(point, n, chain, count, total, mean, err, branches, theory, converged):
        if branches is None:
            value, found, status = theory, converged, None
        else:
            info = branches.get(chain)
            found = info is not None
            value = info["value"] if found else math.nan
            status = "absent" if not found else (
                "RS unstable" if info["replicon"] < -1e-9 else
                "equilibrium" if info["dominant"] else "metastable")
        diff = mean - value
        z = diff / err if err > 0 else (0.0 if diff == 0 else math.copysign(math.inf, diff))
        floor = found and value == 0 and abs(mean) <= NOISE_FLOOR / math.sqrt(n)
        return {**point, "N": n, "branch": chain, "samples": count, "of": total, "theory": value,
                "converged": found, "status": status, "mean": mean, "stderr": err,
                "z": float(z) if found and not floor else math.nan, "floor": bool(floor)}

    @staticmethod
    def _chain(r):
        if r["branch"] is None:
            return ""
        return r["branch"] if r["samples"] == r["of"] else f"{r['branch']} ({r['samples']}/{r['of']} samples)"

    def _cells(self, r):
        """Formatted cells of a row: theory, MC, z, status (shared by the Markdown and HTML tables)."""
        theory = f"{r['theory']:.5f}" if r["converged"] else "—"
        if r["floor"]:
            z = "— (|MC| < 3/√N: zero at N → ∞)"
        elif math.isfinite(r["z"]):
            z = f"{r['z']:+.2f}"
        elif not r["converged"]:
            z = "—"
        else:   # a zero error bar: the observable never fluctuated (e.g. m = 1 deep in retrieval)
            z = "n/a (no fluctuation)"
        status = r["status"] or ("no solution" if not r["converged"] else "")
        return theory, f"{r['mean']:.5f} ± {r['stderr']:.5f}", z, status

    def notes(self):
        """Footnotes for the statuses that occur (what they mean, and the finite-size caveat)."""
        seen = list(dict.fromkeys(r["status"] for r in self.rows if r["status"]))
        out = [f"{s}: {STATUS[s]}" for s in seen if s != "equilibrium"]
        if "absent" in seen:
            out.append("finite-size effect: at finite N a state survives beyond the end of its branch "
                       "at N → ∞ (for the Hopfield model, retrieval beyond alpha_c ≈ 0.138: Steffan and "
                       "Kühn, Z. Phys. B 95, 249 (1994)); larger N moves the apparent end towards the "
                       "theory's")
        return out

    def table(self):
        """The rows as a Markdown table, with footnotes on the statuses that occur."""
        keys = list(self.points[0])
        ob = self.observable
        head = "| " + " | ".join(keys + ["N", "chain in", f"MC {ob}", f"theory {ob} (that branch)",
                                         "(MC − theory)/err", "theory says"]) + " |"
        lines = [head, "|" + " --- |" * (len(keys) + 6)]
        for r in self.rows:
            theory, mc, z, status = self._cells(r)
            lines.append("| " + " | ".join([f"{r[k]:g}" for k in keys] + [
                str(r["N"]), self._chain(r), mc, theory, z, status]) + " |")
        notes = self.notes()
        return "\n".join(lines + ([""] + [f"* {n}" for n in notes] if notes else []))

    def _repr_markdown_(self):
        return f"**{self.model}: Monte Carlo vs theory, {self.observable}**\n\n" + self.table()

    def _repr_html_(self):
        from html import escape
        keys = list(self.points[0])
        ob = escape(self.observable)
        head = "".join(f"<th>{escape(h)}</th>" for h in keys + ["N", "chain in"]) + \
            f"<th>MC {ob}</th><th>theory {ob} (that branch)</th><th>(MC − theory)/err</th><th>theory says</th>"
        body = []
        for r in self.rows:
            cells = [f"{r[k]:g}" for k in keys] + [str(r["N"]), self._chain(r), *self._cells(r)]
            body.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
        notes = "".join(f"<li>{escape(n)}</li>" for n in self.notes())
        return (f"<div><p><b>{escape(self.model)}: Monte Carlo vs theory, {ob}</b></p><table><thead><tr>"
                f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
                + (f"<ul>{notes}</ul>" if notes else "") + "</div>")

    def __repr__(self):
        return f"<CrosscheckResult {self.model} {self.observable} along {self.x}: {len(self.rows)} rows>"

    def plot(self, ax=None, colors=None):
        """Theory line and MC points with error bars (one colour per N) against the path parameter."""
        from ..plot.montecarlo import plot_crosscheck
        return plot_crosscheck(self, ax=ax, colors=colors)

    def overlay(self, ax, x="alpha", y="T", **style):
        """Mark the MC points on a plane of two parameters (e.g. the demo's (alpha, T) phase diagram),
        each coloured by its MC mean on the same 0..1 viridis scale as the order-parameter map."""
        from ..plot.montecarlo import overlay_crosscheck
        return overlay_crosscheck(self, ax, x=x, y=y, **style)


def crosscheck(model, path, N=(200, 800), observable=None, guess=None, samples=4, sweeps=1000,
               burn_in=None, seed=0, executor=None, dynamics="metropolis", replicas=2, tempering=None,
               init=None, progress=None, resume=None, sampler_options=None, **params):
    """Monte Carlo along a path of parameter points against the compiled saddle-point solver.

    Parameters
    ----------
    model : Model or str
    path : dict or list of dict
        ``{"T": [0.1, 0.2, ...]}`` (arrays broadcast together) or a list of parameter dicts; the
        remaining parameters come from ``**params`` and the model's defaults.
    N : int or sequence of int
        System sizes (one colour each in the plot: the finite-size trend).
    observable : str, optional
        An order parameter of the solver that MC measures (default: the first one, e.g. ``m``).
    guess : dict, optional
        Starting point of the solver (default: the model's ordered branch), e.g. ``{"m": 1.0}``.
    Other parameters as in :func:`sweep` (``resume`` makes the MC part resumable).

    Returns
    -------
    CrosscheckResult

    Examples
    --------
    >>> cc = snn.crosscheck("hopfield", {"T": [0.1, 0.3]}, N=[300], alpha=0.05, sweeps=200)  # doctest: +SKIP
    >>> print(cc.table()); cc.plot()                                                          # doctest: +SKIP
    """
    model = _resolve_model(model)
    points = [{**params, **p} for p in _path_points(path)]
    if not points:
        raise ParameterError("path must contain at least one parameter point")
    varying = [k for k in points[0] if len({p.get(k) for p in points}) > 1]
    x = varying[0] if varying else next(iter(_path_points(path)[0]), "T")
    sizes = _sizes(N)
    # the Monte Carlo part and its journal are checked before the theory is compiled and solved
    tasks, meta, config = _plan(model, points, sizes, samples, sweeps, burn_in, seed, dynamics, replicas,
                                tempering, init, sampler_options)
    journal = _journal(resume, config, tasks)
    solver = model.free_energy().saddle_point().compile()
    names = [str(s) for s in model.free_energy().saddle_point().order_parameters]
    observable = observable or names[0]
    if observable not in names:
        raise ParameterError(f"observable {observable!r} is not an order parameter of {model.name!r}; "
                             f"choose one of {', '.join(names)}")
    columns = {k: np.array([p[k] for p in points]) for k in points[0]}
    sol = solver.solve(guess=guess, errors="mask", **columns)
    theory = np.atleast_1d(np.asarray(sol[observable], dtype=float))
    converged = np.atleast_1d(np.asarray(sol.converged, dtype=bool))
    curve = curve_branch = None
    if len(varying) == 1:
        grid = np.linspace(min(p[x] for p in points), max(p[x] for p in points), 201)
        fine = solver.solve(guess=guess, errors="mask",
                            **{k: (grid if k == x else points[0][k]) for k in points[0]})
        conv = np.asarray(fine.converged, dtype=bool)
        # the line follows the branch the guess finds first, not a jump to another (e.g. the
        # spin glass past the end of retrieval)
        labels = [model.classify({k: float(v[i]) for k, v in fine.order_parameters.items() if np.isfinite(v[i])},
                                 {k: float(v[i]) for k, v in fine.parameters.items()}, float(fine.replicon[i]))
                  if conv[i] else None for i in range(grid.size)]
        first = next((lab for lab in labels if lab is not None), None)
        curve = (grid, np.asarray(fine[observable], dtype=float),
                 conv & np.array([lab == first for lab in labels]), np.asarray(fine.stable, dtype=bool))
        curve_branch = first
    results = _results(model, meta, _run(tasks, executor, progress, journal, f"MC sweep {model.name}"))
    if observable not in results[0]:
        raise StatmechError(f"Monte Carlo does not measure {observable!r} for {model.name!r}")
    branches = chains = None
    mags = model.magnetisation_names(names)
    if mags and all(m in results[0] for m in mags):      # the chain's branch can be read off
        branches = _theory_branches(model, solver, points, observable)
        chains = [_chain_branch(model, r, names) for r in results]
    cc = CrosscheckResult(model.name, observable, x, [{k: p[k] for k in points[0]} for p in points],
                          sizes, theory, converged, results, curve, branches, chains)
    cc.curve_branch = curve_branch
    return cc


def _theory_branches(model, solver, points, observable):
    """Per point, every branch the theory has there (label -> its ``value`` of ``observable``,
    ``replicon``, ``dominant``): solved from the model's phase seeds, minima in the magnetisations
    only, the phase by the replica rule (:func:`statmech_nn.phases.engine.dominant_branch`)."""
    from ..phases.engine import dominant_branch
    columns = {k: np.array([p[k] for p in points], dtype=float) for k in points[0]}
    out = [{} for _ in points]
    names = [str(s) for s in model.free_energy().saddle_point().order_parameters]
    for seed in model.phase_seeds(names, signed=True):
        sol = solver.solve(guess=seed, errors="mask", **columns)
        conv = np.atleast_1d(sol.converged)
        stable = np.atleast_1d(sol.curvature_stable)
        f, R = np.atleast_1d(sol.free_energy), np.atleast_1d(sol.replicon)
        values = {k: np.atleast_1d(v) for k, v in sol.order_parameters.items()}
        pars = {k: np.atleast_1d(v) for k, v in sol.parameters.items()}
        for i in range(len(points)):
            if not (conv[i] and stable[i]):
                continue
            x = {k: float(v[i]) for k, v in values.items() if np.isfinite(v[i])}
            label = model.classify(x, {k: float(v[i]) for k, v in pars.items()}, float(R[i]))
            old = out[i].get(label)
            if old is None or f[i] < old["f"] - 1e-12:
                out[i][label] = {"x": x, "f": float(f[i]), "replicon": float(R[i]),
                                 "value": x.get(observable, math.nan)}
    for recs in out:
        best = dominant_branch(recs, model.zero_tolerance, model.magnetisation_names)
        for label, rec in recs.items():
            # mirror images (m and -m at h = 0) have the same f: both are the phase
            rec["dominant"] = best is not None and (label == best or abs(rec["f"] - recs[best]["f"])
                                                    <= 1e-10 * (1 + abs(rec["f"])) and
                                                    _same_but_sign(rec["x"], recs[best]["x"]))
    return out


def _same_but_sign(a, b):
    return a.keys() == b.keys() and all(abs(abs(a[k]) - abs(b[k])) <= 1e-8 * (1 + abs(b[k])) for k in a)


def _chain_branch(model, result, names):
    """The branch each disorder sample of a Monte Carlo run is in, from its measured order parameters
    (its time averages): overlaps within ``NOISE_FLOOR/√N`` of zero (the size of a random overlap)
    count as zero."""
    floor = NOISE_FLOOR / math.sqrt(result.N)
    measured = [n for n in names if n in result]
    # magnetisations by the role the engine gave them (Hopfield + ferromagnet: m and M), overlaps q…
    overlaps = set(model.magnetisation_names(measured)) | {n for n in measured if n.startswith("q")}
    labels = []
    for s in range(len(result[measured[0]].sample_means)):
        values = {}
        for name in measured:
            v = float(result[name].sample_means[s])
            values[name] = 0.0 if name in overlaps and abs(v) <= floor else v
        labels.append(model.classify(values, dict(result.parameters), math.nan))
    return labels


def hopfield_retrieval_crosscheck(N=(400, 1600), alphas=(0.02, 0.05, 0.08, 0.1, 0.12, 0.13, 0.14, 0.15, 0.16),
                                  T=0.1,
                                  samples=4, sweeps=300, seed=0, executor=None, progress=None):
    """The Hopfield retrieval overlap ``m`` along ``alpha`` at temperature ``T``: MC (start in pattern
    1) against the AGS saddle point derived by the package, for the demo's phase diagram.

    Past the theory's retrieval edge the MC overlap falls, more sharply for larger ``N``; at finite
    ``N`` retrieval survives somewhat above ``α_c`` (Steffan and Kühn, Z. Phys. B 95, 249 (1994)).
    Takes about 10 s on two cores with the defaults.
    """
    model = _resolve_model("hopfield")
    return crosscheck(model, {"alpha": list(alphas)}, N=list(N), observable="m", guess={"m": 1.0},
                      samples=samples, sweeps=sweeps, seed=seed, executor=executor, progress=progress,
                      T=T)
