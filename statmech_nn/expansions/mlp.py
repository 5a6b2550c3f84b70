r"""Taylor coefficients of multilayer perceptrons from propagators and vertices (Kaspschak & Meißner 2021).

The network (``L`` layers, ``h = L - 1`` hidden ones, linear output)::

    z^1 = W_1 x + b_1,   z^l = W_l σ_{l-1}(z^{l-1}) + b_l,   y = z^L.

Feynman rules
-------------
Repeated use of the chain rule (the multivariate Faà di Bruno formula) writes the ``k``-th partial
derivative ``∂^k y_o / ∂x_{i_1}…∂x_{i_k}`` at ``x0`` as a sum over *diagrams*: rooted trees whose leaves
are the ``k`` derivative slots, with every root-to-leaf path passing through one vertex of each hidden
layer. A vertex of layer ``l`` with ``m`` children is the vertex factor ``σ_l^{(m)}(z^l_j)`` (the
``m``-th derivative of the activation at the pre-activation of unit ``j``); a line between layers
``l-1`` and ``l`` is the propagator ``W_l`` (a leaf line is a column ``W_1[:, i_s]`` of the first weight
matrix, the root line a row of ``W_L``); internal unit indices are summed. At layer ``l`` the children of
a vertex split its slots into blocks, so the diagrams are chains of set partitions. Their number at order
``k`` with ``h`` hidden layers is

``c_1(k) = 1``,  ``c_h(k) = Σ_{π ∈ Π(k)} Π_{B ∈ π} c_{h-1}(|B|) = B_k(c_{h-1}(1), …, c_{h-1}(k))``

(complete Bell polynomial), i.e. the exponential generating function ``F_h(t) = exp(F_{h-1}(t)) − 1``
with ``F_1 = e^t − 1``: one diagram per order for one hidden layer (the pre-activation is linear in ``x``),
the Bell numbers 1, 2, 5, 15, … for two, 1, 3, 12, 60, … (OEIS A000258) for three. Slots are
distinguishable, so each diagram is one chain-rule term; diagrams that differ only by relabelling slots
form a *shape*, of multiplicity ``k!/|Aut|`` (automorphisms of the shape with all leaves alike, from
:mod:`.diagrams`).

The paper's propagators and vertices are these ``W`` lines and ``σ^{(m)}`` vertices; the generation of
diagrams as chains of set partitions, the count formula and the tensor contraction are written here
from the chain rule.

References
----------
B. Kaspschak, U.-G. Meißner, "Neural network perturbation theory and its application to the Born series",
Phys. Rev. Research 3, 023223 (2021), arXiv:2009.03192, Sec. II (propagators, vertices, diagrams).
G. M. Constantine, T. H. Savits, "A multivariate Faà di Bruno formula with applications",
Trans. Amer. Math. Soc. 348, 503 (1996).
"""
from __future__ import annotations

import functools
import itertools
import math
import string
from typing import NamedTuple

import numpy as np
import sympy as sp

from ..errors import ParameterError
from .activations import U, activation, numeric_activation
from .diagrams import Diagram, DiagramSum

__all__ = ["MLP", "TreeNode", "MLPDiagram", "MLPTaylor", "diagram_count", "count_generating_function",
           "generate_trees"]

REFERENCES = (
    "B. Kaspschak and U.-G. Meissner, Neural network perturbation theory and its application to the Born "
    "series, Phys. Rev. Research 3, 023223 (2021), arXiv:2009.03192.",
    "G. M. Constantine and T. H. Savits, A multivariate Faa di Bruno formula with applications, "
    "Trans. Amer. Math. Soc. 348, 503 (1996).",
)


# ------------------------------------------------------------------ the network
class MLP:
    """A multilayer perceptron ``y = W_L σ(… σ(W_1 x + b_1) …) + b_L`` with numeric weights.

    Parameters
    ----------
    weights : sequence of 2-D arrays
        ``W_1 … W_L``; ``W_l`` has shape ``(n_l, n_{l-1})``.
    biases : sequence of 1-D arrays
        ``b_1 … b_L``.
    activations : activation spec or sequence of ``L - 1`` specs
        Names, SymPy ``Lambda`` or callables (see :func:`statmech_nn.expansions.activations.activation`),
        one per hidden layer or one for all.
    """

    def __init__(self, weights, biases, activations="tanh"):
        self.weights = [np.array(w, dtype=float) for w in weights]
        self.biases = [np.array(b, dtype=float).reshape(-1) for b in biases]
        if len(self.weights) < 2 or len(self.weights) != len(self.biases):
            raise ParameterError("an MLP needs L >= 2 weight matrices (at least one hidden layer) and as many biases")
        for l, (w, b) in enumerate(zip(self.weights, self.biases), 1):
            if w.ndim != 2 or b.shape != (w.shape[0],) or not (np.all(np.isfinite(w)) and np.all(np.isfinite(b))):
                raise ParameterError(f"layer {l}: W must be a finite 2-D array and b a finite vector of "
                                     f"length W.shape[0]; got {w.shape} and {b.shape}")
            if l > 1 and w.shape[1] != self.weights[l - 2].shape[0]:
                raise ParameterError(f"W_{l} has {w.shape[1]} columns but layer {l - 1} has "
                                     f"{self.weights[l - 2].shape[0]} units")
        specs = [activations] * self.hidden_layers if isinstance(activations, (str, sp.Lambda)) or callable(
            activations) else list(activations)
        if len(specs) != self.hidden_layers:
            raise ParameterError(f"give one activation or {self.hidden_layers} (one per hidden layer), got {len(specs)}")
        self.activations = [activation(s) for s in specs]

    @classmethod
    def random(cls, sizes, activations="tanh", seed=None, weight_scale=1.0, bias_scale=0.5):
        """Gaussian random weights ``N(0, weight_scale²/fan_in)`` and biases ``N(0, bias_scale²)``.

        ``sizes = (d, n_1, …, n_{L-1}, outputs)``.
        """
        if len(sizes) < 3 or any(int(s) < 1 for s in sizes):
            raise ParameterError(f"sizes must be (inputs, hidden..., outputs) with at least one hidden layer, got {sizes}")
        rng = np.random.default_rng(seed)
        ws = [rng.standard_normal((b, a)) * weight_scale / math.sqrt(a) for a, b in zip(sizes[:-1], sizes[1:])]
        bs = [rng.standard_normal(b) * bias_scale for b in sizes[1:]]
        return cls(ws, bs, activations)

    @property
    def hidden_layers(self):
        return len(self.weights) - 1

    @property
    def input_dim(self):
        return self.weights[0].shape[1]

    @property
    def output_dim(self):
        return self.weights[-1].shape[0]

    def _check_x(self, x):
        x = np.asarray(x, dtype=float).reshape(-1)
        if x.shape != (self.input_dim,) or not np.all(np.isfinite(x)):
            raise ParameterError(f"x must be a finite vector of length {self.input_dim}")
        return x

    def preactivations(self, x):
        """``[z^1, …, z^{L-1}]`` at the input ``x``."""
        x = self._check_x(x)
        zs, a = [], x
        for l in range(self.hidden_layers):
            z = self.weights[l] @ a + self.biases[l]
            zs.append(z)
            a = _derivative_fn(self.activations[l], 0)(z)
        return zs

    def __call__(self, x):
        x = self._check_x(x)
        a = _derivative_fn(self.activations[-1], 0)(self.preactivations(x)[-1])
        return self.weights[-1] @ a + self.biases[-1]

    def sympy_expression(self, symbols, dps=30):
        """The outputs as SymPy expressions of ``symbols`` (weights as exact binary floats at ``dps``)."""
        a = sp.Matrix(symbols)
        for l, (w, b) in enumerate(zip(self.weights, self.biases)):
            z = sp.Matrix(w.shape[0], w.shape[1], lambda i, j: sp.Float(w[i, j], dps)) * a + \
                sp.Matrix([sp.Float(v, dps) for v in b])
            a = z.applyfunc(self.activations[l]) if l < self.hidden_layers else z
        return a

    def mpmath_function(self, output=0):
        """``f(*x)`` evaluated in mpmath arithmetic at the working precision (for high-precision checks)."""
        import mpmath
        fns = [sp.lambdify(U, act(U), modules="mpmath") for act in self.activations]
        ws = [[[mpmath.mpf(float(v)) for v in row] for row in w] for w in self.weights]
        bs = [[mpmath.mpf(float(v)) for v in b] for b in self.biases]

        def f(*x):
            a = list(x)
            for l in range(len(ws)):
                z = [mpmath.fsum(wij * aj for wij, aj in zip(row, a)) + bi for row, bi in zip(ws[l], bs[l])]
                a = [fns[l](v) for v in z] if l < len(ws) - 1 else z
            return a[output]
        return f

    def __repr__(self):
        sizes = [self.input_dim] + [w.shape[0] for w in self.weights]
        return f"MLP(sizes={sizes}, activations={[str(a(U)) for a in self.activations]})"


@functools.lru_cache(maxsize=256)
def _derivative_fn(act, order):
    return numeric_activation(sp.diff(act(U), U, order))


# ------------------------------------------------------------------ diagrams as trees
class TreeNode(NamedTuple):
    """A vertex of hidden layer ``layer``; ``children`` are ``TreeNode`` of layer ``layer - 1`` or, at
    layer 1, the derivative slots (ints). The slots below a node are :meth:`slots`."""

    layer: int
    children: tuple

    def slots(self):
        if self.layer == 1:
            return tuple(self.children)
        return tuple(sorted(s for c in self.children for s in c.slots()))

    def vertices(self):
        """Pre-order list of the internal vertices."""
        out = [self]
        if self.layer > 1:
            for c in self.children:
                out += c.vertices()
        return out


def _set_partitions(items):
    """All set partitions of the tuple ``items`` (blocks keep the order of ``items``)."""
    items = tuple(items)
    if not items:
        yield ()
        return
    first, rest = items[0], items[1:]
    for partition in _set_partitions(rest):
        yield ((first,),) + partition
        for i in range(len(partition)):
            yield partition[:i] + ((first,) + partition[i],) + partition[i + 1:]


def generate_trees(order, hidden_layers):
    """All diagrams (trees) of the ``order``-th derivative of a net with ``hidden_layers`` hidden layers."""
    if order < 1 or hidden_layers < 1:
        raise ParameterError(f"order and hidden_layers must be >= 1, got {order}, {hidden_layers}")
    return list(_trees(tuple(range(order)), hidden_layers))


def _trees(slots, layer):
    if layer == 1:
        yield TreeNode(1, slots)
        return
    for partition in _set_partitions(slots):
        blocks = sorted(partition)           # canonical order of children: by their smallest slot
        for children in itertools.product(*(list(_trees(b, layer - 1)) for b in blocks)):
            yield TreeNode(layer, tuple(children))


def diagram_count(order, hidden_layers):
    """The number of diagrams ``c_h(k)`` from the complete-Bell-polynomial recursion (module docstring)."""
    if order < 1 or hidden_layers < 1:
        raise ParameterError(f"order and hidden_layers must be >= 1, got {order}, {hidden_layers}")
    counts = [1] * (order + 1)               # c_1(k) = 1 for k >= 1 (index 0 unused)
    for _ in range(hidden_layers - 1):
        previous = counts
        counts = [0] + [int(sum(sp.bell(k, j, previous[1:k - j + 2]) for j in range(1, k + 1)))
                        for k in range(1, order + 1)]
    return counts[order]


def count_generating_function(hidden_layers, t=None):
    """``F_h(t) = exp(F_{h-1}(t)) − 1``, ``F_1 = e^t − 1``: EGF of the diagram counts (SymPy)."""
    t = t if t is not None else sp.Symbol("t")
    f = sp.exp(t) - 1
    for _ in range(hidden_layers - 1):
        f = sp.exp(f) - 1
    return f


class MLPDiagram:
    """One diagram: a tree, its graph (an :class:`~statmech_nn.expansions.diagrams.Diagram`), its value.

    Attributes
    ----------
    tree : TreeNode
    order : int
    """

    def __init__(self, tree, order, hidden_layers):
        self.tree = tree
        self.order = order
        self.hidden_layers = hidden_layers

    def graph(self, slot_labels=True):
        """The diagram as a :class:`Diagram`: output leg ``y``, vertices ``σ_l^{(m)}``, propagators ``W_l``
        (directed towards the output), leaves ``x_{i_s}`` (all alike when ``slot_labels`` is False)."""
        vertices = [("external", "y")]
        edges = []
        top_layer = self.hidden_layers + 1

        def add(node, parent, parent_layer):
            m = len(node.children)
            vertices.append(("internal", r"\sigma^{(%d)}_{%d}" % (m, node.layer)))
            me = len(vertices) - 1
            edges.append((me, parent, "W_{%d}" % parent_layer, True))
            for c in node.children:
                if node.layer == 1:
                    vertices.append(("external", "x_{i_{%d}}" % (c + 1) if slot_labels else "x"))
                    edges.append((len(vertices) - 1, me, "W_{1}", True))
                else:
                    add(c, me, node.layer)

        add(self.tree, 0, top_layer)
        return Diagram(vertices, edges)

    def value(self, net, x0):
        """The diagram's derivative tensor, shape ``(outputs,) + (d,) * order`` (slot axes in slot order)."""
        zs = net.preactivations(x0)
        tensor, slots = _node_tensor(self.tree, net, zs)
        out = np.tensordot(net.weights[-1], tensor, axes=([1], [0]))
        return np.moveaxis(out, [1 + slots.index(s) for s in range(self.order)], range(1, self.order + 1))

    def latex(self):
        """The Feynman-rule expression of the diagram (indices summed)."""
        counter = itertools.count(1)
        body = _node_latex(self.tree, next(counter), counter)
        return r"\sum W_{%d}{}_{o\,j} %s" % (self.hidden_layers + 1, body)

    def _repr_svg_(self):
        return self.graph()._repr_svg_()

    def __repr__(self):
        return f"<MLPDiagram order {self.order}: {self.tree}>"


def _node_tensor(node, net, zs):
    """``(tensor, slots)``: tensor of shape ``(n_layer,) + (d,) * len(slots)``."""
    act = net.activations[node.layer - 1]
    vertex = _derivative_fn(act, len(node.children))(zs[node.layer - 1])
    if node.layer == 1:
        tensor = vertex
        for _ in node.children:       # one input leg W_1[j, i] per slot
            tensor = np.einsum("j...,ji->j...i", tensor, net.weights[0])
        return tensor, list(node.children)
    tensor, slots = vertex, []
    for child in node.children:
        child_tensor, child_slots = _node_tensor(child, net, zs)
        propagated = np.tensordot(net.weights[node.layer - 1], child_tensor, axes=([1], [0]))
        letters = string.ascii_letters.replace("z", "")   # 'z' is the unit index
        a = letters[:tensor.ndim - 1]
        b = letters[tensor.ndim - 1:tensor.ndim - 1 + propagated.ndim - 1]
        tensor = np.einsum(f"z{a},z{b}->z{a}{b}", tensor, propagated)
        slots += child_slots
    return tensor, slots


def _node_latex(node, index, counter):
    j = "j_{%d}" % index
    parts = [r"\sigma_{%d}^{(%d)}(z^{%d}_{%s})" % (node.layer, len(node.children), node.layer, j)]
    for child in node.children:
        if node.layer == 1:
            parts.append(r"W_{1}{}_{%s\,i_{%d}}" % (j, child + 1))
        else:
            k = next(counter)
            parts.append(r"W_{%d}{}_{%s\,j_{%d}}%s" % (node.layer, j, k,
                                                     _node_latex(child, k, counter)))
    return " ".join(parts)


# ------------------------------------------------------------------ the expansion
class MLPTaylor:
    r"""Taylor expansion of an :class:`MLP` at ``x0`` to ``order``, organised by diagrams.

    Examples
    --------
    >>> net = MLP.random((2, 3, 3, 1), "tanh", seed=0)
    >>> taylor = MLPTaylor(net, [0.1, -0.2], order=3)
    >>> [len(taylor.diagrams(k)) for k in (1, 2, 3)]      # Bell numbers for two hidden layers
    [1, 2, 5]
    >>> taylor.derivative((0, 1, 1)).shape                 # d^3 y / dx_0 dx_1 dx_1, one per output
    (1,)
    """

    def __init__(self, net, x0, order=4):
        if not isinstance(net, MLP):
            raise ParameterError("net must be an MLP")
        if not isinstance(order, (int, np.integer)) or order < 1:
            raise ParameterError(f"order must be an int >= 1, got {order!r}")
        self.net = net
        self.x0 = net._check_x(x0)
        self.order = int(order)
        self._tensors = {}

    def diagrams(self, k):
        """The diagrams of the ``k``-th derivative (one per chain-rule term)."""
        self._check_order(k)
        return [MLPDiagram(t, k, self.net.hidden_layers) for t in generate_trees(k, self.net.hidden_layers)]

    def derivative_tensor(self, k):
        """``∂^k y_o / ∂x_{i_1}…∂x_{i_k}`` at ``x0`` as the sum of diagram values, shape ``(outputs,) + (d,)*k``."""
        self._check_order(k)
        if k not in self._tensors:
            self._tensors[k] = sum(dg.value(self.net, self.x0) for dg in self.diagrams(k))
        return self._tensors[k]

    def derivative(self, indices):
        """The partial derivative with respect to ``x[indices[0]], x[indices[1]], …`` (one per output)."""
        indices = tuple(int(i) for i in indices)
        if any(not 0 <= i < self.net.input_dim for i in indices):
            raise ParameterError(f"input indices must lie in 0..{self.net.input_dim - 1}, got {indices}")
        return self.derivative_tensor(len(indices))[(slice(None),) + indices]

    def taylor_coefficients(self, k):
        """``{α: c_α}`` for ``|α| = k``: ``y(x0 + δ) = Σ_α c_α δ^α``, ``c_α = ∂^α y / α!`` (per output)."""
        tensor = self.derivative_tensor(k)
        out = {}
        for combo in itertools.combinations_with_replacement(range(self.net.input_dim), k):
            alpha = tuple(combo.count(i) for i in range(self.net.input_dim))
            out[alpha] = tensor[(slice(None),) + combo] / math.prod(math.factorial(a) for a in alpha)
        return out

    def series(self, delta):
        """``Σ_{k ≤ order}`` of the Taylor polynomial at ``x0 + delta`` (per output)."""
        delta = np.asarray(delta, dtype=float).reshape(-1)
        total = self.net(self.x0).copy()
        for k in range(1, self.order + 1):
            tensor = self.derivative_tensor(k)
            for _ in range(k):
                tensor = tensor @ delta
            total += tensor / math.factorial(k)
        return total

    def shapes(self, k):
        """The distinct diagram shapes of order ``k`` (leaves alike) with their multiplicities
        ``k!/|Aut|`` as a :class:`DiagramSum` (coefficients add up to :func:`diagram_count`)."""
        self._check_order(k)
        seen = {}
        for dg in self.diagrams(k):
            g = dg.graph(slot_labels=False)
            seen.setdefault(g, dg)
        terms = [(sp.factorial(k) / g.automorphism_count(), g) for g in seen]
        return DiagramSum(terms, title=f"order {k}, {self.net.hidden_layers} hidden layer(s)")

    def latex(self, max_diagram_order=3):
        """LaTeX body: Feynman rules, the diagram shapes per order (TikZ) with multiplicities, an example
        diagram's expression and the numeric Taylor coefficients (needs ``tikz``)."""
        net = self.net
        acts = ", ".join(r"\sigma_{%d}(u) = %s" % (l + 1, sp.latex(a(U))) for l, a in enumerate(net.activations))
        parts = [r"\subsection*{MLP Taylor expansion by propagators and vertices}",
                 "Network with layer sizes $%s$ and activations $%s$, expanded at $x_0 = (%s)$. Rules: a vertex "
                 r"of layer $l$ with $m$ children is $\sigma_l^{(m)}(z^l_j)$, a line between layers $l-1$ and "
                 r"$l$ is $W_l$, internal indices are summed; diagrams are chains of set partitions of the "
                 "derivative slots." % ((", ".join(str(s) for s in [net.input_dim] + [w.shape[0] for w in net.weights])),
                                        acts, ", ".join("%.4g" % v for v in self.x0))]
        for k in range(1, self.order + 1):
            count = diagram_count(k, net.hidden_layers)
            parts.append(r"\paragraph{Order %d: %d diagram%s}" % (k, count, "s" if count > 1 else ""))
            if k <= max_diagram_order:
                parts.append(self.shapes(k).latex(per_line=3, scale=0.5))
            example = self.diagrams(k)[-1]
            parts.append(r"For instance $%s$." % example.latex())
            rows = [r"$\alpha = (%s)$ & $%s$ \\" % (",".join(map(str, a)), ", ".join("%.10g" % v for v in c))
                    for a, c in self.taylor_coefficients(k).items()]
            parts.append("\\begin{center}\\begin{tabular}{ll}\nmulti-index & $c_\\alpha$ \\\\ \\hline\n"
                         + "\n".join(rows) + "\n\\end{tabular}\\end{center}")
        return "\n\n".join(parts)

    def _repr_markdown_(self):
        lines = [f"**MLP Taylor expansion** at x0 = {self.x0.tolist()} ({self.net!r})", ""]
        for k in range(1, self.order + 1):
            lines.append(f"- order {k}: {diagram_count(k, self.net.hidden_layers)} diagrams")
        return "\n".join(lines)

    def _check_order(self, k):
        if not isinstance(k, (int, np.integer)) or not 1 <= k <= self.order:
            raise ParameterError(f"derivative order must be in 1..{self.order}, got {k!r}")
