"""Step through the backward pass one op at a time, with the chain rule spelled out.

:class:`BackpropStepper` is a small ipywidgets composition: a Play button and a slider
choose the step, an ``HTML`` widget shows the computation graph drawn by
:func:`~adkernel.widgets.graph.render_svg` (the current op outlined in red, gradients not
known yet shown as ``grad ?``), and a text panel explains the step in words and numbers:
``upstream 1.0 × local 2·x (= 6.0) = 6.0 → x``. Step 0 is the forward pass, its arrows
pointing from each input to its op as the values flow; in the backward steps the arrows
turn round, from each op back to its inputs, as the gradients flow. The last step has
every gradient. Without a widget front end (nbconvert, GitHub, nbval) the stepper shows
the picture of the last step, because its mimebundle also carries that picture as an
``<img>`` in ``text/html``: JupyterLab shows that form for a saved notebook nobody has
trusted or run (it never shows a widget's dead controls there), and nbconvert keeps it.
"""

from __future__ import annotations

import itertools
import re
import uuid
from dataclasses import replace

import ipywidgets as widgets
import numpy as np

from .._escape import escape
from ..engine.i18n import _, get_language, lazy, ngettext
from ..engine.inspect import Graph, backward_steps, graph_of
from ..engine.registry import REGISTRY
from ..engine.tape import TapeState
from .graph import (
    LIST_SEPARATOR,
    _caller_names,
    _display_name,
    describe,
    render_svg,
    svg_img_html,
)

__all__ = ["BackpropStepper"]

MAX_FORWARD_LINES = 12  # ops listed in the forward-pass explanation
PLAY_INTERVAL_MS = 1500

_EXPONENT = re.compile(r"\^\((-?\d+(?:\.\d+)?) - 1\)")
_SUPERSCRIPT = {2: "²", 3: "³"}
_IDS = re.compile(r'id="(adk[0-9a-f]{12})-arrow"')
_counter = itertools.count(1)
# the panel's error text: vermillion (Okabe-Ito), readable on a white and a dark background
ERROR_COLOUR = "#d55e00"
PLAY_TOOLTIP = lazy("Play: walk through the backward pass, one step every 1.5 s "
                    "(pause, stop, repeat)")
SLIDER_LABEL = lazy("step")
SLIDER_TOOLTIP = lazy("Choose a step: 0 is the forward pass, {last} has every gradient")


def _power(e: float) -> str:
    """An exponent in the one notation the stepper uses: ``x``, ``x²``, ``x³``, ``x^4``,
    ``x^-1``, ``x^0.5`` (whole numbers without ``.0``)."""
    if e == 1:
        return ""
    if float(e).is_integer():
        k = int(e)
        return _SUPERSCRIPT.get(k, f"^{k}")
    return f"^{e:g}"


def _local_formula(node, pos: int, names: list, inputs: list) -> str | None:
    """The op's local derivative for input ``pos`` in words, from its ``defop`` block.

    ``x^(3 - 1)`` is simplified to ``x²``, and ``x^(2 - 1)`` to ``x``: one notation,
    whatever the exponent (see :func:`_power`).
    """
    op = REGISTRY.get(node.label)
    if op is None or not op.local or pos >= len(op.local):
        return None
    n_in = int(np.prod(inputs[0].shape)) if inputs else 1
    n = max(1, n_in // max(1, int(np.prod(node.shape))))
    # str(): a formula the engine marked lazy() is shown in the learner's language
    text = str(op.local[pos]).format(*names, n=n)

    def power(m):
        return _power(float(m.group(1)) - 1)

    return _EXPONENT.sub(power, text)


def _d(top: str, bottom: str) -> str:
    """``dy/dx``, with parentheses around names that are expressions."""
    return f"d{top}/d{bottom}" if bottom.isidentifier() else f"d{top}/d({bottom})"


def _number(v) -> str:
    """A scalar as the learner reads it: ``6.0``, ``0.25``, ``1.235e+05``."""
    v = float(v)
    text = f"{v:.4g}"
    if text.lstrip("-").isdigit():
        text += ".0"
    return text


def _is_number(text: str, v: float) -> bool:
    """Does a formula such as ``"3"`` just say the number ``v`` (nothing to explain)?"""
    try:
        return float(text) == v
    except ValueError:
        return False


def _summary(v) -> str:
    """A number, a short array written out, or a longer array's shape and mean."""
    a = np.asarray(v)
    if a.ndim == 0:
        return _number(a)
    if a.size <= 4:
        return "[" + ", ".join(_number(e) for e in a.ravel()) + "]"
    with np.errstate(all="ignore"):
        mean = a.mean()
    return _("a {shape} array (mean {mean})").format(
        shape=tuple(int(d) for d in a.shape), mean=_number(mean))


class BackpropStepper(widgets.VBox):
    """The backward pass of ``target``, one op per step, with the chain rule in numbers.

    Steps follow the order the tape runs them (reverse topological order). Step 0 is the
    forward pass (values only); step ``k`` has pushed the gradient back through ``k`` ops;
    the last step shows every gradient. Where a value is used more than once (fan-out),
    the text shows how its gradient accumulates.

    Parameters
    ----------
    tape : GradientTape
        The tape that computed ``target``; it must still hold its records (make it
        ``persistent=True``, or build the stepper before calling ``tape.gradient``).
    target : Tensor
        The value to differentiate (a float tensor; non-scalar targets are seeded with ones,
        as ``tape.gradient`` does).
    names : dict, optional
        ``{name: tensor}`` used to label values; by default the caller's variables (a
        notebook's namespace). Pass ``{}`` for none.

    Attributes
    ----------
    graph : Graph
        The computation graph, with final gradients.
    steps : list of BackwardStep
        The backward pass, from :func:`~adkernel.engine.inspect.backward_steps`.
    play : ipywidgets.Play
    slider : ipywidgets.IntSlider
        Linked to ``play`` in the browser (``jslink``); its value is :attr:`step`.
    frame : ipywidgets.HTML
        The current picture (SVG).
    panel : ipywidgets.HTML
        The current explanation (escaped HTML).

    Examples
    --------
    >>> from adkernel import tf
    >>> x = tf.Variable(3.0)
    >>> with tf.GradientTape(persistent=True) as tape:
    ...     y = x ** 2
    >>> stepper = BackpropStepper(tape, y, names={"x": x, "y": y})
    >>> stepper
    <backprop stepper: 2 steps>
    >>> stepper.step = 1
    >>> print(stepper.explanation)
    Step 1 of 1: backward through y = pow(x, 2).
    Upstream gradient: dy/dy = 1.0 (y is the target, so it starts at 1).
    Chain rule: each input gets upstream × local derivative.
      upstream 1.0 × local 2·x (= 6.0) = 6.0 → x
      (2 is a constant: it needs no gradient.)
    Done: every gradient is known. dy/dx = 6.0.
    """

    def __init__(self, tape, target, names: dict | None = None):
        if tape.view().state is TapeState.USED:
            raise RuntimeError(_(
                "This GradientTape has already computed its gradient and let go of its "
                "records, so there is no backward pass left to step through. Create it with "
                "tf.GradientTape(persistent=True), or build the stepper before "
                "tape.gradient."))
        graph = graph_of(tape, target, names=_caller_names() if names is None else names)
        if graph.target is None:
            raise ValueError(_("target was not computed on this tape: pass the value the "
                               "tape recorded (e.g. BackpropStepper(tape, y) for y computed "
                               "inside `with tape:`)"))
        self.graph, self.steps = backward_steps(tape, target, graph)
        self._by_id = {n.id: n for n in self.graph.nodes}
        self._target = self._by_id[self.graph.target]
        # per step and contribution: the input's total before it, if any (x * x sends x
        # two contributions). Only what each step changed is kept: memory stays linear.
        totals = {self.graph.target: self._target.grad}
        self._before = []
        for step in self.steps:
            before = []
            for c in step.contributions:
                before.append(totals[c.input] if c.accumulated else None)
                totals[c.input] = c.total
            self._before.append(before)
        self._build()

    _play_tooltip = PLAY_TOOLTIP
    _slider_tooltip = SLIDER_TOOLTIP

    def _build(self) -> None:
        """The controls, the picture and the panel, showing step 0 (``self.steps`` set)."""
        self._frames: dict = {}
        last = len(self.steps)
        self.error = None  # the exception of the last step that could not be drawn
        self.play = widgets.Play(value=0, min=0, max=last, step=1, interval=PLAY_INTERVAL_MS,
                                 # no description: the front end shows the tooltip on
                                 # the Play controls only for a widget without one
                                 tooltip=str(self._play_tooltip))
        self.slider = widgets.IntSlider(value=0, min=0, max=last, description=str(SLIDER_LABEL),
                                        tooltip=self._slider_tooltip.format(last=last))
        # ids of the live picture: fresh per widget, so two steppers on one page (two
        # notebooks open) never resolve each other's arrowheads
        self._uid = f"adk-w{next(_counter)}-{uuid.uuid4().hex[:8]}"
        widgets.jslink((self.play, "value"), (self.slider, "value"))
        self.frame = widgets.HTML()
        self.panel = widgets.HTML()
        super().__init__([widgets.HBox([self.play, self.slider]), self.frame, self.panel])
        self.slider.observe(self._on_step, names="value")
        self._show(0)

    # -- state -------------------------------------------------------------------------------
    @property
    def n_steps(self) -> int:
        """Number of steps, the forward pass (step 0) included."""
        return len(self.steps) + 1

    @property
    def step(self) -> int:
        """The step shown, ``0`` (forward pass) to ``n_steps - 1`` (all gradients)."""
        return self.slider.value

    @step.setter
    def step(self, k: int) -> None:
        if not 0 <= k < self.n_steps:
            raise ValueError(_("step must be between 0 and {last}, got {step}").format(
                last=self.n_steps - 1, step=k))
        self.error = None
        self.slider.value = k
        if self.error is not None:  # shown in the panel, and raised to the code that asked
            raise self.error

    @property
    def explanation(self) -> str:
        """The current step's explanation as plain text."""
        return self._explain(self.step)

    def frame_svg(self, step: int | None = None) -> str:
        """The SVG picture of a step (default: the current one).

        Parameters
        ----------
        step : int, optional

        Returns
        -------
        str

        Examples
        --------
        >>> from adkernel import tf
        >>> x = tf.Variable(3.0)
        >>> with tf.GradientTape(persistent=True) as tape:
        ...     y = x ** 2
        >>> stepper = BackpropStepper(tape, y)
        >>> "grad" in stepper.frame_svg(0), "grad 6" in stepper.frame_svg(1)
        (False, True)
        """
        k = self.step if step is None else step
        if not 0 <= k < self.n_steps:
            raise ValueError(_("step must be between 0 and {last}, got {step}").format(
                last=self.n_steps - 1, step=k))
        key = (get_language(), k)  # a picture per language: switching redraws in the new one
        if key not in self._frames:
            self._frames[key] = self._render(k)
        return self._frames[key]

    def _on_step(self, change) -> None:
        try:
            self._show(change["new"])
            self.error = None
        except (Exception, KeyboardInterrupt) as exc:  # shown in the panel, never swallowed
            self.error = exc
            what = _("The stepper could not draw step {step}: {type}: {error}").format(
                step=change["new"], type=type(exc).__name__, error=exc)
            still = _("(the picture above is still the last step drawn)")
            self.panel.value = (f'<div style="color:{ERROR_COLOUR}"><b>{escape(what)}</b> '
                                f"{escape(still)}</div>")

    def live_svg(self, step: int | None = None) -> str:
        """:meth:`frame_svg` with this widget's own ids (what the widget shows)."""
        k = self.step if step is None else step
        svg = self.frame_svg(k)
        m = _IDS.search(svg)
        return svg if m is None else svg.replace(m.group(1), f"{self._uid}-{k}")

    def _show(self, k: int) -> None:
        # both parts are computed before either is shown: a failure leaves the picture and
        # the explanation of the same (previous) step, never a half-updated widget
        svg = self.live_svg(k)
        head, *rest = self._explain(k).split("\n")
        self._label_controls()
        body = "<br>".join(escape(line).replace("  ", "&nbsp;&nbsp;") for line in rest)
        panel = (f'<div style="font-size:14px;line-height:1.5">'
                 f"<b>{escape(head)}</b><br>{body}</div>")
        self.frame.value = svg
        self.panel.value = panel

    def _label_controls(self) -> None:
        """The controls' words in the language current now (only what changed is sent)."""
        words = ((self.play, "tooltip", str(self._play_tooltip)),
                 (self.slider, "description", str(SLIDER_LABEL)),
                 (self.slider, "tooltip", self._slider_tooltip.format(last=self.n_steps - 1)))
        for control, name, text in words:
            if getattr(control, name) != text:
                setattr(control, name, text)

    # -- pictures ----------------------------------------------------------------------------
    def _render(self, k: int) -> str:
        if k == 0:  # no gradients at all, not even in the hover text
            graph = Graph([replace(n, grad=None) for n in self.graph.nodes], self.graph.edges,
                          self.graph.target)
            return render_svg(graph, show_grads=False,
                              title=_("step 0: forward pass (values only)"))
        # known gradients are the running totals (a fan-out value grows step by step);
        # the others keep their final value, which render_svg shows as "grad ?"
        totals = self._totals(k)
        nodes = [replace(n, grad=totals[n.id]) if n.id in totals else n
                 for n in self.graph.nodes]
        graph = Graph(nodes, self.graph.edges, self.graph.target)
        node = self._by_id[self.steps[k - 1].node]
        return render_svg(graph, highlight=node.id, done=set(totals), flow="backward",
                          title=_("step {k} of {n}: backward through {name}").format(
                              k=k, n=self.n_steps - 1, name=self._name(node)))

    def _totals(self, k: int) -> dict:
        """The gradients known after step ``k``: {node id: running total}."""
        totals = {self.graph.target: self._target.grad}
        for step in self.steps[:k]:
            for c in step.contributions:
                totals[c.input] = c.total
        return totals

    # -- words -------------------------------------------------------------------------------
    def _name(self, node, depth: int = 2) -> str:
        """The learner's name for a value, else its label; an unnamed op is its call."""
        if node.name or node.kind != "op":
            return _display_name(node)
        if depth == 0:
            return f"{node.label}(…)"
        args = ", ".join(self._name(self._by_id[i], depth - 1) for i in node.inputs)
        return f"{node.label}({args})"

    def _call(self, node) -> str:
        args = ", ".join(self._name(self._by_id[i]) for i in node.inputs)
        head = f"{node.name} = " if node.name else ""
        return f"{head}{node.label}({args})"

    def _explain(self, k: int) -> str:
        t = self._name(self._target)
        if k == 0:
            lines = [_("Step 0: the forward pass."),
                     _("Each op computes its value from its inputs, from the leaves down to "
                       "{target}:").format(target=t)]
            ops = [n for n in self.graph.nodes if n.kind == "op"]
            for n in ops[:MAX_FORWARD_LINES]:
                value = "" if n.value is None else f" = {_summary(n.value)}"
                lines.append(f"  {self._call(n)}{value}")
            if len(ops) > MAX_FORWARD_LINES:
                more = len(ops) - MAX_FORWARD_LINES
                lines.append("  " + ngettext("… and {n} more op", "… and {n} more ops",
                                             more).format(n=more))
            lines.append(_("No gradients yet. The backward pass starts at {target} with "
                           "gradient 1 ({d} = 1) and visits the ops in reverse order.").format(
                target=t, d=_d(t, t)))
            return "\n".join(lines)

        step = self.steps[k - 1]
        node = self._by_id[step.node]
        name = self._name(node)
        lines = [_("Step {k} of {n}: backward through {call}.").format(
            k=k, n=self.n_steps - 1, call=self._call(node))]
        upstream = _summary(step.upstream)
        if node.id == self.graph.target:
            lines.append(_("Upstream gradient: {d} = {value} ({name} is the target, so it "
                           "starts at 1).").format(d=_d(t, name), value=upstream, name=name))
        else:
            lines.append(_("Upstream gradient: {d} = {value} (all that {name} received in "
                           "earlier steps).").format(d=_d(t, name), value=upstream, name=name))
        lines.append(_("Chain rule: each input gets upstream × local derivative."))
        inputs = [self._by_id[i] for i in node.inputs]
        input_names = [self._name(n) for n in inputs]
        positions, start = [], 0
        for c in step.contributions:
            positions.append(node.inputs.index(c.input, start))
            start = positions[-1] + 1
        arrays = False
        for pos, c, prev in zip(positions, step.contributions, self._before[k - 1],
                                strict=True):
            target_name = self._name(self._by_id[c.input])
            symbolic = _local_formula(node, pos, input_names, inputs)
            if c.local is not None:
                local = _number(c.local)
                if symbolic is not None and not _is_number(symbolic, c.local):
                    local = f"{symbolic} (= {local})"
                lines.append("  " + _("upstream {upstream} × local {local} = {result} → "
                                      "{input}").format(
                    upstream=upstream, local=local, result=_summary(c.contribution),
                    input=target_name))
            else:
                arrays = True
                local = symbolic or _("(the {op} rule)").format(op=node.label)
                lines.append("  " + _("upstream {upstream} × local {local} → {input} gets "
                                      "{result}").format(
                    upstream=upstream, local=local, result=_summary(c.contribution),
                    input=target_name))
            if prev is not None:
                if np.ndim(c.total) == 0:
                    lines.append("    " + _("{input} already had {before}; now {before} + "
                                            "{added} = {total}").format(
                        input=target_name, before=_number(prev),
                        added=_number(c.contribution), total=_number(c.total)))
                else:
                    lines.append("    " + _("{input} already had {before}; adding gives "
                                            "{total}").format(
                        input=target_name, before=_summary(prev), total=_summary(c.total)))
        used = set(positions)
        for pos, n in enumerate(inputs):
            if pos not in used and n.kind == "constant":
                lines.append("  " + _("({name} is a constant: it needs no gradient.)").format(
                    name=input_names[pos]))
        if arrays:
            lines.append(_("With arrays, “×” is the vector–Jacobian product: element by "
                           "element for elementwise ops, and summed over any dimension an "
                           "input was broadcast along."))
        if k == self.n_steps - 1:
            leaves = [n for n in self.graph.nodes
                      if n.kind in ("variable", "watched") and n.grad is not None]
            grads = str(LIST_SEPARATOR).join(f"{_d(t, self._name(n))} = {_summary(n.grad)}"
                                             for n in leaves)
            lines.append(_("Done: every gradient is known. {gradients}.").format(gradients=grads)
                         if grads else _("Done: every gradient is known."))
        return "\n".join(lines)

    # -- display -----------------------------------------------------------------------------
    def __repr__(self) -> str:
        return _("<backprop stepper: {n} steps>").format(n=self.n_steps)

    @property
    def alt(self) -> str:
        """The static picture (the last step) in words: its alt text."""
        return _("backprop stepper, last of {n} steps (every gradient known); "
                 "{description}").format(n=self.n_steps, description=describe(self.graph))

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        # the static form: one picture of the last step, no controls
        bundle["text/html"] = svg_img_html(self.frame_svg(self.n_steps - 1), self.alt)
        bundle["text/plain"] = repr(self)
        return bundle
