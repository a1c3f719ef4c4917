"""The ``%%tape`` cell magic: run a cell on a gradient tape, then show what happened.

Loaded by ``%load_ext adkernel`` (this module is imported only then, so that
``import adkernel`` never imports IPython).
"""

from __future__ import annotations

import html
import sys

import numpy as np
from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from IPython.display import display

from .engine import tape as _tape_module
from .engine.tape import CellTape
from .engine.tensor import TensorLike, Variable

OPTIONS = (
    "-n/--name NAME, -p/--persistent, --watch A,B, -g/--grad TARGET[:SRC,...], "
    "--graph, --no-graph, --step, --plot NAME"
)


class TapeCellError(Exception):
    """Marks a ``%%tape`` cell as failed after its own traceback was shown.

    The cell body runs through ``shell.run_cell``, which already printed the learner's
    traceback; raising this (with an empty rendered traceback) makes Jupyter, nbclient
    and "Run All" see the failure without printing a second traceback.
    """

    def _render_traceback_(self):
        return []


def _names(spec: str, option: str) -> list[str]:
    names = [n.strip() for n in spec.split(",") if n.strip()]
    if not names:
        raise UsageError(f"{option} needs at least one name, e.g. {option} x")
    for n in names:
        if not n.isidentifier():
            raise UsageError(f"{option}: {n!r} is not a valid Python name")
    return names


def _grad_spec(spec: str) -> tuple[str, list[str] | None]:
    target, _, sources = spec.partition(":")
    target = target.strip()
    if not target.isidentifier():
        raise UsageError(
            f"--grad: {target!r} is not a valid Python name; use --grad TARGET or "
            "--grad TARGET:SRC1,SRC2, e.g. --grad y:x"
        )
    return target, (_names(sources, "--grad") if sources.strip() else None)


def _display_name(obj, ns: dict) -> str:
    for name, value in ns.items():
        if value is obj and not name.startswith("_"):
            return name
    if isinstance(obj, Variable):
        return obj.name.rsplit(":", 1)[0]
    return f"tensor{tuple(obj.shape)}"


def _summary(value) -> str:
    if value is None:
        return "None"
    v = np.asarray(value)
    if v.ndim == 0:
        return str(v[()])
    return np.array2string(v, precision=4, threshold=12, edgeitems=3)


class GradientTable:
    """The gradients a ``%%tape --grad`` cell computed, shown as a small table."""

    def __init__(self, target_name: str, rows: list[tuple[str, object]]):
        self.target_name = target_name
        self.rows = rows

    def _rows_text(self) -> list[tuple[str, str]]:
        return [(f"d{self.target_name}/d{name}",
                 "None" if g is None else _summary(g.numpy())) for name, g in self.rows]

    def __repr__(self) -> str:
        rows = self._rows_text()
        width = max([len(r[0]) for r in rows] + [8])
        lines = [f"{'gradient':<{width}}  value"]
        lines += [f"{k:<{width}}  {v}" for k, v in rows]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        cells = "".join(
            f"<tr><td><code>{html.escape(k)}</code></td><td><code>{html.escape(v)}</code></td></tr>"
            for k, v in self._rows_text()
        )
        return ("<table class='adkernel-grads'><thead><tr><th>gradient</th><th>value</th>"
                f"</tr></thead><tbody>{cells}</tbody></table>")


@magics_class
class TapeMagics(Magics):
    """``%%tape``: run a cell under a GradientTape and show the graph and gradients."""

    @magic_arguments()
    @argument("-n", "--name", default="tape",
              help="bind the tape to this name in the notebook (default: tape)")
    @argument("-p", "--persistent", action="store_true",
              help="make the tape persistent (several gradient calls)")
    @argument("--watch", metavar="A,B", default=None,
              help="watch these tensors (constants) before the cell runs")
    @argument("-g", "--grad", metavar="TARGET[:SRC,...]", default=None,
              help="after the cell, show and bind (as `grads`) the gradients of TARGET "
                   "with respect to SRC,... (default: every watched variable)")
    @argument("--graph", dest="graph", action="store_true", default=None,
              help="show the computation graph (default when --grad is given)")
    @argument("--no-graph", dest="graph", action="store_false",
              help="do not show the computation graph")
    @argument("--step", action="store_true",
              help="show the backprop stepper (needs --grad)")
    @argument("--plot", metavar="NAME", default=None,
              help="live-plot NAME each time a gradient of it is taken inside the cell")
    @cell_magic
    def tape(self, line: str, cell: str):
        """Run the cell on a gradient tape, then show what was recorded.

        Usage::

            %%tape [-n NAME] [-p] [--watch A,B] [-g TARGET[:SRC,...]] [--graph|--no-graph]
                   [--step] [--plot NAME]

        Examples::

            %%tape --grad y:x
            y = x ** 2

            %%tape --plot loss
            for epoch in range(100):
                with tf.GradientTape() as t:
                    loss = tf.reduce_mean(tf.square(W * X + b - y))
                dW, db = t.gradient(loss, [W, b])
                W.assign_sub(0.1 * dW)
                b.assign_sub(0.1 * db)
        """
        args = self._parse(line)
        ns = self.shell.user_ns
        watch = []
        if args.watch:
            for name in _names(args.watch, "--watch"):
                if name not in ns:
                    raise UsageError(f"--watch: name {name!r} is not defined; define it "
                                     f"before this cell, e.g. {name} = tf.constant(2.0)")
                if not isinstance(ns[name], TensorLike):
                    raise UsageError(
                        f"--watch: {name!r} is a {type(ns[name]).__name__}, not a tensor; "
                        f"make it one first, e.g. {name} = tf.constant({name})")
                watch.append(ns[name])
        target_name, source_names = _grad_spec(args.grad) if args.grad else (None, None)
        show_graph = args.graph if args.graph is not None else bool(args.grad)
        if args.step and not args.grad:
            raise UsageError("--step needs --grad TARGET: the stepper walks the backward pass "
                             "of that target")
        if args.plot and not args.plot.isidentifier():
            raise UsageError(f"--plot: {args.plot!r} is not a valid Python name")

        tape = CellTape(persistent=args.persistent)
        plot = hook = None
        if args.plot:
            plot, hook = self._plot_hook(args.plot)
            _tape_module.gradient_hooks.append(hook)
        missing = object()
        previous = ns.get(args.name, missing)
        ns[args.name] = tape  # the body may use it, e.g. tape.watch(c) or print(tape)
        try:
            with tape:
                if watch:
                    tape.watch(watch)
                result = self.shell.run_cell(cell, store_history=False)
        finally:
            if hook is not None:
                _tape_module.gradient_hooks.remove(hook)
                plot.finish()
        if not result.success:
            if previous is missing:
                ns.pop(args.name, None)
            else:
                ns[args.name] = previous
            raise TapeCellError("the %%tape cell failed")
        if target_name is None:
            if show_graph:
                self._show_graph(tape, None)
            return None
        self._gradients(tape, target_name, source_names, show_graph, args.step)
        return None

    # -- helpers --------------------------------------------------------------------
    def _parse(self, line: str):
        try:
            return parse_argstring(self.tape, line)
        except UsageError as e:
            raise UsageError(f"{e}. Valid options: {OPTIONS}") from None
        except ValueError as e:  # unbalanced quotes, from shlex
            raise UsageError(f"%%tape: cannot parse options ({e}). Valid options: {OPTIONS}"
                             ) from None

    def _lookup(self, name: str, role: str):
        ns = self.shell.user_ns
        if name not in ns:
            raise UsageError(f"--grad: {role} {name!r} is not defined after the cell ran; "
                             f"assign it in the cell, e.g. {name} = ...")
        value = ns[name]
        if not isinstance(value, TensorLike):
            raise UsageError(f"--grad: {role} {name!r} is a {type(value).__name__}, not a "
                             "tensor computed with tf ops")
        return value

    def _gradients(self, tape, target_name, source_names, show_graph, step):
        ns = self.shell.user_ns
        target = self._lookup(target_name, "target")
        if source_names is None:
            sources = list(tape.watched_variables())
            sources += [w for w in tape.view().watched if not isinstance(w, Variable)]
            names = [_display_name(s, ns) for s in sources]
        else:
            sources = [self._lookup(n, "source") for n in source_names]
            names = list(source_names)
        pictures = []
        if show_graph:
            pictures.append(self._graph_picture(tape, target))
        if step:
            from .widgets.stepper import BackpropStepper

            pictures.append(BackpropStepper(tape, target, names=dict(ns)))
        grads = tape.gradient(target, sources) if sources else []
        self.shell.push({"grads": dict(zip(names, grads, strict=True))})
        display(GradientTable(target_name, list(zip(names, grads, strict=True))))
        for p in pictures:
            display(p)

    def _graph_picture(self, tape, target):
        from .engine.inspect import graph_of
        from .widgets.graph import GraphPicture

        return GraphPicture(graph_of(tape, target, names=dict(self.shell.user_ns)))

    def _show_graph(self, tape, target):
        display(self._graph_picture(tape, target))

    def _plot_hook(self, name: str):
        from .widgets.lossplot import LossPlot

        plot = LossPlot(name)
        ns = self.shell.user_ns

        def record_loss(target, tape):
            if ns.get(name) is not target:
                frame = sys._getframe(2)  # the code that called tape.gradient
                if frame.f_locals.get(name) is not target:
                    return
            v = target._value
            plot.record(float(v) if np.ndim(v) == 0 else float(np.mean(v)))

        return plot, record_loss


def load(ip) -> None:
    ip.register_magics(TapeMagics)


def unload(ip) -> None:
    registry = ip.magics_manager.registry
    registry.pop("TapeMagics", None)
    ip.magics_manager.magics["cell"].pop("tape", None)
    _tape_module.gradient_hooks[:] = [
        h for h in _tape_module.gradient_hooks if getattr(h, "__name__", "") != "record_loss"
    ]
