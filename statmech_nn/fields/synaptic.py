"""Synaptic field theory of a perceptron (Lee, Lee, Yi, arXiv:2503.08827).

A perceptron ``y_a = f(z_a)``, ``z_a = Σ_i w_i s_{a,i} + b`` trained on data ``(s_a, t_a)`` by gradient
descent on ``L = ½ Σ_a (f(z_a) − t_a)²``. The weights are a field ``w(x)`` over the input index
``x_i = i Δx``; each datum is an external source ``J_a(x) = s_a(x)``. The discrete update, derived here
from ``L`` by SymPy, is the lattice field equation

    (w_i^{n+1} − w_i^n)/η = − Σ_a J_a(i) (f(z_a) − t_a) f'(z_a),

with the non-local collective fields ``z_a`` (every site sees every other through the data). Its
continuum limit (index → coordinate, ``Σ_i → ∫dx/Δx``, learning rate → time step ``t_n = n η``) is
derived by Taylor-expanding ``w(x, t + η)``:

    ∂_t w + (η/2) ∂_t² w + O(η²) = − Δx δL/δw(x),

and it is the Euler–Lagrange equation of the action in ``1 + 1`` dimensions (input coordinate and
training time)

    S[w] = ∫dt e^{2t/η} [ (η/(4Δx)) ∫dx (∂_t w)² − L[w] ],

a Caldirola–Kanai action: the exponential factor plays the role of the expanding (de Sitter–like)
scale factor that Lee, Lee and Yi find; the check that its Euler–Lagrange equation is the derived
continuum equation is :meth:`SynapticFieldTheory.euler_lagrange`. (The paper's own normalisation of the
action may differ; this module derives its own and checks it.)
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from ..errors import ParameterError

__all__ = ["SynapticFieldTheory", "perceptron_gradient_descent", "ACTIVATIONS"]

ACTIVATIONS = ("linear", "tanh", "sigmoid")


def _activation(name, z):
    if name == "linear":
        return z
    if name == "tanh":
        return sp.tanh(z)
    if name == "sigmoid":
        return 1 / (1 + sp.exp(-z))
    raise ParameterError(f"activation must be one of {ACTIVATIONS}, got {name!r}")


def _check_data(inputs, targets, n_inputs=None, n_data=None):
    S = np.asarray(inputs, dtype=float)
    t = np.asarray(targets, dtype=float)
    if S.ndim != 2 or t.shape != (S.shape[0],):
        raise ParameterError(f"inputs must be (n_data, n_inputs) and targets (n_data,), got {S.shape} and {t.shape}")
    if n_inputs is not None and S.shape != (n_data, n_inputs):
        raise ParameterError(f"this theory has n_data={n_data}, n_inputs={n_inputs}; got inputs of shape {S.shape}")
    if not (np.all(np.isfinite(S)) and np.all(np.isfinite(t))):
        raise ParameterError("inputs and targets must be finite")
    return S, t


def _check_eta_steps(eta, steps):
    if isinstance(eta, bool) or not isinstance(eta, (int, float, np.floating)) or not np.isfinite(eta) or eta <= 0:
        raise ParameterError(f"the learning rate eta must be a finite number > 0, got {eta!r}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ParameterError(f"steps must be an int >= 0, got {steps!r}")


def perceptron_gradient_descent(inputs, targets, w0, b0=0.0, eta=0.01, steps=1000, activation="linear"):
    """Plain full-batch gradient descent of a perceptron on ``½ Σ_a (f(z_a) − t_a)²`` (the network view,
    written directly in NumPy; derivatives of the activations by hand). Returns ``(w, b)``."""
    S, t = _check_data(inputs, targets)
    _check_eta_steps(eta, steps)
    if activation not in ACTIVATIONS:
        raise ParameterError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
    w = np.array(w0, dtype=float)
    if w.shape != (S.shape[1],):
        raise ParameterError(f"w0 must have one weight per input ({S.shape[1]}), got shape {w.shape}")
    b = float(b0)
    for _ in range(steps):
        z = S @ w + b
        if activation == "linear":
            y, dy = z, np.ones_like(z)
        elif activation == "tanh":
            y = np.tanh(z)
            dy = 1 - y ** 2
        else:
            y = 1 / (1 + np.exp(-z))
            dy = y * (1 - y)
        delta = (y - t) * dy
        w = w - eta * (S.T @ delta)
        b = b - eta * delta.sum()
    return w, b


class SynapticFieldTheory:
    """The perceptron's weights as a field over the input index, trained by gradient descent.

    Parameters
    ----------
    n_data : int
        Number of training examples (sources).
    activation : {"linear", "tanh", "sigmoid"}
    bias : bool
        Train a bias ``b`` (a zero-dimensional field) as well.

    Examples
    --------
    >>> sft = SynapticFieldTheory(n_data=2, activation="tanh")
    >>> sft.field_equation().rhs                              # doctest: +SKIP
    """

    def __init__(self, n_data, activation="linear", bias=True):
        if isinstance(n_data, bool) or not isinstance(n_data, (int, np.integer)) or n_data < 1:
            raise ParameterError(f"n_data must be an int >= 1, got {n_data!r}")
        _activation(activation, sp.Symbol("z"))
        self.n_data, self.activation, self.bias = int(n_data), activation, bool(bias)
        self.eta = sp.Symbol("eta", positive=True)
        # one site of the lattice field and the values of the sources there
        self.w_site = sp.Symbol("w_i", real=True)
        self.J_site = [sp.Symbol(f"J_{{{a + 1},i}}", real=True) for a in range(self.n_data)]
        self.z = [sp.Symbol(f"z_{a + 1}", real=True) for a in range(self.n_data)]
        self.t = [sp.Symbol(f"t_{a + 1}", real=True) for a in range(self.n_data)]
        self.b = sp.Symbol("b", real=True)

    def loss(self, z=None):
        """``L = ½ Σ_a (f(z_a) − t_a)²`` in terms of the collective fields ``z_a``."""
        z = self.z if z is None else z
        return sum((_activation(self.activation, za) - ta) ** 2 for za, ta in zip(z, self.t)) / 2

    def _force(self):
        """``−∂L/∂w_i`` at one site, by the chain rule through ``z_a = Σ_j w_j J_a(j) + b``
        (``∂z_a/∂w_i = J_a(i)``), and ``−∂L/∂b`` (``∂z_a/∂b = 1``)."""
        L = self.loss()
        dL_dz = [sp.diff(L, za) for za in self.z]
        force_w = -sum(g * J for g, J in zip(dL_dz, self.J_site))
        force_b = -sum(dL_dz)
        return force_w, force_b

    def field_equation(self):
        """The discrete gradient-descent step as a lattice field equation (SymPy ``Eq``) at site ``i``:
        ``(w_i^{n+1} − w_i^n)/η = −Σ_a J_a(i) ∂L/∂z_a``."""
        w_next = sp.Symbol("w_{i}^{n+1}", real=True)
        return sp.Eq((w_next - self.w_site) / self.eta, self._force()[0])

    def _compiled(self):
        if not hasattr(self, "_step"):
            force_w, force_b = self._force()
            args = [self.w_site, self.eta, self.b, *self.J_site, *self.z, *self.t]
            self._step = (sp.lambdify(args, self.w_site + self.eta * force_w, "numpy"),
                          sp.lambdify([self.eta, *self.z, *self.t], self.eta * force_b, "numpy"))
        return self._step

    def iterate(self, inputs, targets, w0, b0=0.0, eta=0.01, steps=1000):
        """Iterate the discretised field equation: every site ``i`` of ``w`` updated from its sources
        ``J_a(i) = inputs[a, i]`` and the collective fields ``z_a``. Returns ``(w, b)``.

        The update function is generated from :meth:`field_equation` by ``sympy.lambdify``.
        """
        S, t = _check_data(inputs, targets)
        if S.shape[0] != self.n_data:
            raise ParameterError(f"this theory has n_data={self.n_data} sources, got {S.shape[0]} examples")
        _check_eta_steps(eta, steps)
        w = np.array(w0, dtype=float)
        if w.shape != (S.shape[1],):
            raise ParameterError(f"w0 must have one weight per input ({S.shape[1]}), got shape {w.shape}")
        b = float(b0)
        step_w, step_b = self._compiled()
        sources = list(S)               # J_a(i) as a field over i for each datum a
        for _ in range(steps):
            z = [float(np.dot(J, w)) + b for J in sources]
            w = step_w(w, eta, b, *sources, *z, *t)
            if self.bias:
                b = b + float(step_b(eta, *z, *t))
        return np.asarray(w, dtype=float), b

    def continuum_limit(self, order=2):
        """The continuum field equation, derived: ``w_i^n → w(x, t)`` with ``x = iΔx``, ``t = nη``,
        ``J_a(i) → s_a(x)``, ``z_a → (1/Δx)∫dy w(y,t) s_a(y) + b``; the left side
        ``(w(x, t+η) − w(x,t))/η`` expanded in ``η`` up to ``η^(order−1)``.

        Returns
        -------
        dict
            ``equation`` (``Eq``), ``x``, ``t``, ``dx`` (Δx), ``w`` (the field ``w(x, t)``), ``sources``.
        """
        x, y, t = sp.symbols("x y t", real=True)
        dx = sp.Symbol("Delta_x", positive=True)
        w = sp.Function("w")
        s = [sp.Function(f"s_{a + 1}") for a in range(self.n_data)]
        lhs = sp.series((w(x, t + self.eta) - w(x, t)) / self.eta, self.eta, 0, order).removeO().doit()
        Z = [sp.Integral(w(y, t) * sa(y), (y, 0, 1)) / dx + self.b for sa in s]
        rhs = self._force()[0].subs({**{J: sa(x) for J, sa in zip(self.J_site, s)},
                                     **dict(zip(self.z, Z))}, simultaneous=True)
        return {"equation": sp.Eq(lhs, rhs), "x": x, "t": t, "dx": dx, "w": w(x, t), "sources": s}

    def action(self):
        """The Caldirola–Kanai action density in ``1 + 1`` dimensions (see the module docstring):
        ``(kinetic, potential)`` with ``S = ∫dt [∫dx kinetic − e^{2t/η} L[w]]``."""
        c = self.continuum_limit()
        t, dx, w = c["t"], c["dx"], c["w"]
        scale = sp.exp(2 * t / self.eta)
        kinetic = scale * self.eta / (4 * dx) * sp.diff(w, t) ** 2
        return kinetic, scale * self.loss()

    def euler_lagrange(self):
        """``δS/δw(x,t) = 0`` divided by ``−e^{2t/η}/Δx``: the kinetic part by
        ``sympy.calculus.euler.euler_equations``, the loss part by the chain rule through ``z_a``
        (``δz_a/δw(x) = s_a(x)/Δx``). Returns the SymPy expression that must vanish; it equals
        ``lhs − rhs`` of :meth:`continuum_limit` at ``order=2``."""
        from sympy.calculus.euler import euler_equations
        c = self.continuum_limit()
        t, x, dx, w = c["t"], c["x"], c["dx"], c["w"]
        kinetic, potential = self.action()
        scale = sp.exp(2 * t / self.eta)
        (kin_eq,) = euler_equations(kinetic, [w], [x, t])
        dS_kin = kin_eq.lhs                       # ∂ℒ/∂w − ∂_t ∂ℒ/∂(∂_t w)
        dS_pot = -sum(sp.diff(potential, za) * sa(x) / dx for za, sa in zip(self.z, c["sources"]))
        # dividing by the scale factor: expand, then let powsimp cancel the exponentials term by term
        variation = sp.powsimp(sp.expand((dS_kin + dS_pot) * (-dx) / scale.doit()))
        # back from the collective symbols to the integrals of the continuum equation
        Zs = [sp.Integral(c["w"].subs(x, sp.Symbol("y", real=True)) * sa(sp.Symbol("y", real=True)),
                          (sp.Symbol("y", real=True), 0, 1)) / dx + self.b for sa in c["sources"]]
        return variation.subs(dict(zip(self.z, Zs)), simultaneous=True)

    def latex(self):
        """LaTeX of the loss, the lattice field equation, the continuum equation and the action."""
        c = self.continuum_limit()
        kinetic, potential = self.action()
        return "\n".join([
            r"Perceptron $y_a = f(z_a)$, $z_a = \sum_i w_i J_a(i) + b$, loss",
            r"\begin{equation}L = " + sp.latex(self.loss()) + r"\end{equation}",
            r"Lattice field equation (one gradient-descent step):",
            r"\begin{equation}" + sp.latex(self.field_equation()) + r"\end{equation}",
            r"Continuum limit ($x = i\Delta_x$, $t = n\eta$):",
            r"\begin{equation}" + sp.latex(c["equation"]) + r"\end{equation}",
            r"Action in $1+1$ dimensions:",
            r"\begin{equation}S[w] = \int dt \left[\int dx\, " + sp.latex(kinetic) + " - "
            + sp.latex(potential) + r"\right]\end{equation}",
        ])
