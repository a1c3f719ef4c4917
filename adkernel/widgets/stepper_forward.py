"""Step through forward mode one op at a time: the tangent moves with the values.

:class:`ForwardStepper` is the backprop stepper's forward-mode twin (same controls, same
picture, same static form). A ``ForwardAccumulator`` gave every input a tangent ``ẋ`` (a
direction to move it in); each op then computes its value *and* its tangent, in the order
the program runs: each input that moves sends ``local derivative × incoming tangent``, and
where several tangents meet at one op they add. The last step's tangent is the
Jacobian-vector product ``J·ẋ`` the accumulator's ``jvp`` returns, after a single pass.
"""

from __future__ import annotations

import inspect
import keyword
from dataclasses import replace

import numpy as np

from ..engine.forward import ForwardAccumulator
from ..engine.i18n import _, lazy, ngettext
from ..engine.inspect import Graph, forward_steps, graph_of
from ..engine.registry import REGISTRY
from ..engine.tape import GradientTape, TapeState
from .graph import LIST_SEPARATOR, _caller_names, describe, render_svg
from .graph_layout import dotted
from .stepper import BackpropStepper, _local_formula, _number, _summary

__all__ = ["ForwardStepper", "PrimalTape", "forward_stepper"]

MAX_INPUT_LINES = 12  # leaves listed at step 0
PLAY_TOOLTIP = lazy("Play: walk through the forward pass with its tangents, one step every "
                    "1.5 s (pause, stop, repeat)")
SLIDER_TOOLTIP = lazy("Choose a step: 0 has the inputs and their tangents, {last} has every "
                      "tangent")


# words of a local-derivative formula that describe the backward pass (where the gradient
# goes), not a derivative the tangent is multiplied by: such formulas are left out here
_BACKWARD_WORDS = ("upstream", "gradient", "summed", "repeats add up")


def _forward_formula(node, pos: int, names: list, inputs: list) -> str | None:
    """The op's local derivative for input ``pos`` (from its ``defop`` block), unless the
    block says it in backward-pass words (``upstream @ bᵀ``)."""
    op = REGISTRY.get(node.label)
    if op is None or not op.local or pos >= len(op.local):
        return None
    source = str.__str__(op.local[pos])  # the English message id, whatever the language
    if any(word in source for word in _BACKWARD_WORDS):
        return None
    return _local_formula(node, pos, names, inputs)


def _sum_text(terms: list) -> str:
    """``3.0 + 3.0``, ``0.9093 − 0.8323``: scalar terms written as a sum."""
    text = _number(terms[0])
    for t in terms[1:]:
        text += f" − {_number(-float(t))}" if float(t) < 0 else f" + {_number(t)}"
    return text


class PrimalTape(GradientTape):
    """A tape that records the program's own ops only, not the ops the tangent rules of an
    active ``ForwardAccumulator`` run (a plain tape records both: reverse-over-forward)."""

    _primal_only = True


def forward_stepper(f, *primals, tangents=None, names: dict | None = None):
    """Run ``f(*primals)`` in forward mode and step through it: a :class:`ForwardStepper`.

    ``tangents`` (one per primal; default ones, like each primal) are the directions the
    primals move in. The primals are labelled with ``f``'s parameter names.

    Examples
    --------
    >>> from adkernel import tf
    >>> stepper = forward_stepper(lambda x: x * tf.sin(x), tf.constant(2.0))
    >>> stepper
    <forward-mode stepper: 3 steps>
    >>> stepper.step = 2
    >>> print(stepper.explanation)
    Step 2 of 2: forward through f = mul(x, sin(x)).
    Value: f = 1.819.
    Tangent: each input that moves sends local derivative × its tangent.
      from x: local sin(x) (= 0.9093) × ẋ (= 1.0) = 0.9093
      from sin(x): local x (= 2.0) × tangent of sin(x) (= -0.4161) = -0.8323
    Tangents meet here and add: ḟ = 0.9093 − 0.8323 = 0.077
    Done: ḟ = 0.077, the Jacobian-vector product J·ẋ, after one forward pass.
    """
    if tangents is None:
        tangents = [np.ones_like(p._value) if hasattr(p, "_value") else 1.0 for p in primals]
    tape = PrimalTape(persistent=True)
    with tape:
        tape.watch([p for p in primals if hasattr(p, "_value")])
        with ForwardAccumulator(list(primals), list(tangents)) as acc:
            out = f(*primals)
    labels = dict(_caller_names() if names is None else names)
    try:
        params = list(inspect.signature(f).parameters)
    except (TypeError, ValueError):
        params = []
    labels.update(zip(params, primals, strict=False))
    if hasattr(out, "_value"):
        name = getattr(f, "__name__", "")
        labels[name if name.isidentifier() and not keyword.iskeyword(name) else "f"] = out
    return ForwardStepper(tape, acc, out if hasattr(out, "_value") else None, names=labels)


class ForwardStepper(BackpropStepper):
    """Forward mode of a recorded computation, one op per step, with its tangents.

    Step 0 shows the inputs with their tangents; step ``k`` has run ``k`` ops, each
    computing its value and its tangent (``local derivative × incoming tangent`` per input
    that moves, summed where tangents meet); the last step has every tangent.

    Parameters
    ----------
    tape : PrimalTape
        A tape that recorded the computation (persistent, or not yet used) while
        ``accumulator`` was active; it must track the accumulator's primals (watch them).
        A :class:`PrimalTape`, which leaves the tangent rules' own ops out (or use
        :func:`forward_stepper`, which makes both).
    accumulator : ForwardAccumulator
        The accumulator whose tangents are shown: each op's tangent is its own number.
    target : Tensor, optional
        The output to outline (its tangent is the Jacobian-vector product).
    names : dict, optional
        ``{name: tensor}`` for the labels; by default the caller's variables.

    Examples
    --------
    >>> from adkernel import tf
    >>> x = tf.constant(3.0)
    >>> with PrimalTape(persistent=True) as tape:
    ...     tape.watch(x)
    ...     with tf.autodiff.ForwardAccumulator(x, tf.constant(1.0)) as acc:
    ...         y = x * x
    >>> stepper = ForwardStepper(tape, acc, y, names={"x": x, "y": y})
    >>> stepper.step = 1
    >>> print(stepper.explanation)
    Step 1 of 1: forward through y = mul(x, x).
    Value: y = 9.0.
    Tangent: each input that moves sends local derivative × its tangent.
      from x: local x (= 3.0) × ẋ (= 1.0) = 3.0
      from x: local x (= 3.0) × ẋ (= 1.0) = 3.0
    Tangents meet here and add: ẏ = 3.0 + 3.0 = 6.0
    Done: ẏ = 6.0, the Jacobian-vector product J·ẋ, after one forward pass.
    """

    _play_tooltip = PLAY_TOOLTIP
    _slider_tooltip = SLIDER_TOOLTIP

    def __init__(self, tape, accumulator, target=None, names: dict | None = None):
        if tape.view().state is TapeState.USED:
            raise RuntimeError(_(
                "This GradientTape has already computed its gradient and let go of its "
                "records, so there is no forward pass left to step through. Create it with "
                "tf.GradientTape(persistent=True)."))
        if not tape.view().primal_only:
            raise ValueError(_(
                "A plain GradientTape recording under a ForwardAccumulator also records the "
                "ops that compute the tangents, so its graph is not your program. Use "
                "forward_stepper(f, x) from adkernel.widgets.stepper_forward, or "
                "%%tape --jvp y:x --step in a notebook."))
        graph = graph_of(tape, target, names=_caller_names() if names is None else names,
                         gradients=False)
        self.graph = graph
        self.steps = forward_steps(tape, accumulator, graph)
        self._by_id = {n.id: n for n in graph.nodes}
        self._target = self._by_id.get(graph.target) if graph.target else None
        self._order = {s.node: i for i, s in enumerate(self.steps)}  # op id -> its step - 1
        self._build()

    # -- pictures ----------------------------------------------------------------------------
    def _render(self, k: int) -> str:
        # the ops not run yet have neither a value nor a tangent
        nodes = [replace(n, value=None, tangent=None)
                 if n.kind == "op" and self._order.get(n.id, -1) >= k else n
                 for n in self.graph.nodes]
        graph = Graph(nodes, self.graph.edges, self.graph.target)
        if k == 0:
            return render_svg(graph, show_grads=False,
                              title=_("step 0: the inputs and their tangents"))
        node = self._by_id[self.steps[k - 1].node]
        return render_svg(graph, highlight=node.id, show_grads=False,
                          title=_("step {k} of {n}: forward through {name}").format(
                              k=k, n=self.n_steps - 1, name=self._name(node)))

    # -- words -------------------------------------------------------------------------------
    def _explain(self, k: int) -> str:
        if k == 0:
            return self._explain_inputs()
        step = self.steps[k - 1]
        node = self._by_id[step.node]
        name = self._name(node)
        lines = [_("Step {k} of {n}: forward through {call}.").format(
                     k=k, n=self.n_steps - 1, call=self._call(node))]
        if node.value is not None:
            lines.append(_("Value: {name} = {value}.").format(name=name,
                                                             value=_summary(node.value)))
        lines += self._parts(node, step)
        if k == self.n_steps - 1:
            lines.append(self._done())
        return "\n".join(lines)

    def _explain_inputs(self) -> str:
        lines = [_("Step 0: the inputs and their tangents."),
                 _("Forward mode gives each input a tangent, the direction it moves in. "
                   "Every op then computes its value and its tangent together, in the order "
                   "the program runs:")]
        leaves = [n for n in self.graph.nodes if n.kind != "op" and n.tangent is not None]
        for n in leaves[:MAX_INPUT_LINES]:
            nm = self._name(n)
            lines.append(f"  {nm} = {_summary(n.value)}, {dotted(nm)} = {_summary(n.tangent)}"
                         if n.value is not None else f"  {dotted(nm)} = {_summary(n.tangent)}")
        if len(leaves) > MAX_INPUT_LINES:
            more = len(leaves) - MAX_INPUT_LINES
            lines.append("  " + ngettext("… and {n} more input", "… and {n} more inputs",
                                         more).format(n=more))
        if not leaves:
            lines.append("  " + _("(no input has a tangent: nothing will move)"))
        return "\n".join(lines)

    def _parts(self, node, step) -> list:
        """What each moving input sends, and their sum: the op's tangent."""
        name = self._name(node)
        if step.tangent is None or not step.parts:
            return [_("No input of {name} carries a tangent, so {name} has none (it does "
                      "not move).").format(name=name)]
        lines = [_("Tangent: each input that moves sends local derivative × its tangent.")]
        inputs = [self._by_id[i] for i in node.inputs]
        input_names = [self._name(n) for n in inputs]
        start, arrays = 0, False
        for part in step.parts:
            pos = node.inputs.index(part.input, start)
            start = pos + 1
            src = input_names[pos]
            symbolic = _forward_formula(node, pos, input_names, inputs)
            incoming = f"{dotted(src)} (= {_summary(part.incoming)})"
            if part.local is not None:
                local = _number(part.local)
                if symbolic is not None and symbolic != local.removesuffix(".0"):
                    local = f"{symbolic} (= {local})"
                lines.append("  " + _("from {input}: local {local} × {incoming} = {result}")
                             .format(input=src, local=local, incoming=incoming,
                                     result=_summary(part.contribution)))
            else:
                arrays = True
                local = symbolic or _("(the {op} rule)").format(op=node.label)
                shown = "?" if part.contribution is None else _summary(part.contribution)
                lines.append("  " + _("from {input}: local {local} applied to {incoming} "
                                      "gives {result}").format(
                    input=src, local=local, incoming=incoming, result=shown))
        for pos, n in enumerate(inputs):
            if n.kind == "constant":
                lines.append("  " + _("({name} is a constant: it carries no tangent.)").format(
                    name=input_names[pos]))
        total = _summary(step.tangent)
        terms = [p.contribution for p in step.parts]
        if len(terms) > 1:
            known = all(t is not None and np.ndim(t) == 0 for t in terms)
            added = _sum_text(terms) if known else None
            lines.append(_("Tangents meet here and add: {dot} = {terms} = {total}").format(
                dot=dotted(name), terms=added, total=total) if added else
                _("Tangents meet here and add: {dot} = {total}").format(
                    dot=dotted(name), total=total))
        else:
            lines.append(f"{dotted(name)} = {total}")
        if arrays:
            lines.append(_("With arrays, “×” is the Jacobian–vector product: element by "
                           "element for elementwise ops."))
        return lines

    def _done(self) -> str:
        if self._target is None or self._target.tangent is None:
            return _("Done: every tangent is known, after one forward pass.")
        nm = self._name(self._target)
        return _("Done: {dot} = {value}, the Jacobian-vector product J·ẋ, after one forward "
                 "pass.").format(dot=dotted(nm), value=_summary(self._target.tangent))

    # -- display -----------------------------------------------------------------------------
    def __repr__(self) -> str:
        return _("<forward-mode stepper: {n} steps>").format(n=self.n_steps)

    @property
    def alt(self) -> str:
        """The static picture (the last step) in words: its alt text."""
        tangents = [f"{dotted(self._name(n))} = {_summary(n.tangent)}"
                    for n in self.graph.nodes if n.tangent is not None and n.kind != "op"]
        return _("forward-mode stepper, last of {n} steps (every tangent known; inputs "
                 "{tangents}); {description}").format(
            n=self.n_steps, tangents=str(LIST_SEPARATOR).join(tangents),
            description=describe(self.graph))
