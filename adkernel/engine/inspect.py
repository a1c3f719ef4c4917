"""Look inside a tape: its computation graph, and the backward pass step by step.

Pure numpy: the pictures in :mod:`adkernel.widgets` are drawn from what this module
returns. Node ids come from tape order (``n0``, ``n1``, ...), never from ``id()``,
so the same computation always gives the same graph.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field

import numpy as np

from .forward import _tangent
from .i18n import _
from .tape import Meta, backward
from .tensor import TensorLike, Variable, _wrap
from .trace import Const, Program, _slots_in

__all__ = ["BackwardStep", "Contribution", "ForwardStep", "Graph", "Node", "TangentIn",
           "backward_steps", "forward_steps", "graph_of", "program_graph", "set_tangents"]


@dataclass
class Node:
    """A value in the graph: a leaf (variable, watched tensor, constant) or an op's output."""

    id: str
    kind: str  # "variable" | "watched" | "constant" | "op"
    label: str  # op name, or the variable's / constant's description
    shape: tuple
    dtype: str
    serial: int = 0  # 0 for plain numbers and arrays that were never tensors
    name: str | None = None  # the learner's name for it (``y``, ``x``), if known
    value: object = None  # numpy value, or None when the tape did not keep it
    grad: object = None  # numpy gradient of the target, if one was computed
    inputs: list = field(default_factory=list)  # ids of the nodes this op consumed
    differentiable: bool = True
    tangent: object = None  # numpy tangent (forward mode), if an accumulator gave one


@dataclass
class Graph:
    """Nodes in tape order (leaves before the ops that use them) and their edges."""

    nodes: list
    edges: list  # (source id, destination id, input position)
    target: str | None = None  # id of the node gradients were taken of
    backward_ops: int = 0  # ops a gradient call recorded on the tape, left out of the graph

    def node(self, node_id: str) -> Node:
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)


def _numpy(v):
    if isinstance(v, Meta) or v is None:
        return None
    return np.asarray(v)


_DTYPE_NAMES: dict = {}


def _dtype_name(dtype) -> str:
    """``dtype.name``, memoised: numpy computes the name anew on every access (slow)."""
    name = _DTYPE_NAMES.get(dtype)
    if name is None:
        name = _DTYPE_NAMES[dtype] = np.dtype(dtype).name
    return name


def _leaf_label(kind: str, obj_name: str | None, value) -> str:
    if obj_name:
        return obj_name
    if kind == "constant" and value is not None and np.ndim(value) == 0:
        v = np.asarray(value)[()]
        return f"{v:.6g}" if np.asarray(value).dtype.kind in "fc" else str(v)
    if kind == "watched":
        return _("watched")
    if kind == "constant":
        return _("const")
    return kind


class _ArrayNames:
    """The learner's names for plain numpy arrays (``X``, ``y_data``) fed to ops.

    An op's saved input is the learner's array itself when numpy handed it over as is;
    otherwise (a dtype conversion made a copy) it is recognised by equal contents (in the
    op's dtype), when
    exactly one name holds an array of that shape with those values. Scalars are never
    named: a number already says what it is.
    """

    def __init__(self, names: dict):
        self.by_id: dict = {}
        self.arrays: list = []
        for name, obj in names.items():
            if isinstance(obj, np.ndarray) and obj.ndim and not name.startswith("_") \
                    and obj.dtype.kind in "biuf":
                self.by_id.setdefault(id(obj), name)
                self.arrays.append((name, obj))

    def find(self, value) -> str | None:
        if not isinstance(value, np.ndarray) or not value.ndim:
            return None
        if id(value) in self.by_id:
            return self.by_id[id(value)]
        found = set()
        for name, a in self.arrays:  # (a float32 op casts the learner's float64 array)
            if a.shape == value.shape:
                with np.errstate(all="ignore"):
                    if np.array_equal(a.astype(value.dtype, copy=False), value):
                        found.add(name)
        return found.pop() if len(found) == 1 else None


def graph_of(tape, target=None, names: dict | None = None, gradients: bool = True) -> Graph:
    """The computation graph a tape recorded (see :func:`_graph_of`).

    The cyclic garbage collector is paused while the graph is built: a 100,000-op tape
    makes ~140,000 nodes, none of them in a cycle, and each automatic collection would
    scan them all again (a quadratic cost that more than doubled the time).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _graph_of(tape, target, names, gradients)
    finally:
        if enabled:
            gc.enable()


def _graph_of(tape, target=None, names: dict | None = None, gradients: bool = True) -> Graph:
    """The computation graph a tape recorded.

    Ops that a gradient call recorded on the tape (``tape.gradient`` inside
    ``with tape:``, e.g. in a ``%%tape -p`` cell) are not the learner's forward
    computation: they are left out, counted in ``Graph.backward_ops``, and a forward
    op that uses such a gradient shows it as a leaf labelled ``gradient``.

    Parameters
    ----------
    tape : GradientTape
        A tape that still holds its records (persistent, or not yet used).
    target : tensor, optional
        If given (and ``gradients``), every node gets its gradient of ``target``.
    names : dict, optional
        ``{name: value}`` (e.g. a notebook's namespace): the learner's names for tensors
        and for the numpy arrays fed to ops.
    """
    view = tape.view()
    all_records = view.records
    backward_outs = view.backward_outputs
    records = [r for r in all_records if r.out not in backward_outs]
    by_serial_name: dict = {}
    for name, obj in (names or {}).items():
        if isinstance(obj, TensorLike) and not name.startswith("_"):
            by_serial_name.setdefault(obj._serial, name)
    array_names = _ArrayNames(names or {})
    watched = {w._serial: w for w in view.watched}
    nodes: list = []
    edges: list = []
    node_of: dict = {}  # serial -> node id

    def new_id() -> str:
        return f"n{len(nodes)}"

    def leaf(serial, value):
        if serial in node_of:
            return node_of[serial]
        obj = watched.get(serial)
        if isinstance(obj, Variable):
            kind, obj_name = "variable", obj.name.rsplit(":", 1)[0]
        elif serial in backward_outs or view.gradient_output(serial):
            kind, obj_name = "constant", _("gradient")
        elif view.tracks(serial):
            kind, obj_name = "watched", None
        else:
            kind, obj_name = "constant", None
        val = _numpy(value)
        n = Node(new_id(), kind, _leaf_label(kind, obj_name, val), tuple(np.shape(value)),
                 _dtype_name(np.asarray(value).dtype if val is not None else value.dtype),
                 serial, by_serial_name.get(serial) or obj_name, val)
        nodes.append(n)
        node_of[serial] = n.id
        return n.id

    for op, oid, iids, _need, vals, _params, outv in records:
        ins = []
        for k, v in zip(iids, vals, strict=True):
            if k:
                ins.append(node_of[k] if k in node_of else leaf(k, v))
            else:
                val = _numpy(v)
                n = Node(new_id(), "constant", _leaf_label("constant", None, val),
                         tuple(np.shape(v)),
                         _dtype_name(np.asarray(v).dtype if val is not None else v.dtype),
                         0, array_names.find(v), val)
                nodes.append(n)
                ins.append(n.id)
        out_val = _numpy(outv)
        n = Node(new_id(), "op", op.name, tuple(outv.shape), _dtype_name(outv.dtype), oid,
                 by_serial_name.get(oid), out_val, None, ins, op.differentiable)
        nodes.append(n)
        node_of[oid] = n.id
        edges.extend((src, n.id, i) for i, src in enumerate(ins))

    graph = Graph(nodes, edges, backward_ops=len(all_records) - len(records))
    if target is not None:
        graph.target = node_of.get(target._serial)
        if graph.target is None and target._serial in watched:
            graph.target = leaf(target._serial, target._value)
        if gradients and target._value.dtype.kind == "f":
            v = target._value
            seed = np.ones(v.shape, dtype=v.dtype) if v.ndim else v.dtype.type(1)
            grads = backward(list(all_records), [target], [seed])
            for n in nodes:
                if n.serial and n.serial in grads:
                    n.grad = np.asarray(grads[n.serial])
    return graph


def program_graph(program: Program, names: dict | None = None) -> Graph:
    """The graph of a traced function's program (what ``tf.function`` captured): its
    inputs, the variables it reads, every op it replays (the forward pass and the
    gradients taken inside it), its writes, replayed calls and guards. Values are the
    ones seen while tracing; there are no gradients to show (the program computes them).
    """
    nodes: list = []
    edges: list = []
    node_of: dict = {}  # slot -> node id
    by_id = {id(v): k for k, v in (names or {}).items()
             if isinstance(v, TensorLike | np.ndarray) and not k.startswith("_")}

    def add(kind, label, value, inputs=(), name=None, differentiable=True) -> str:
        val = _numpy(value)
        n = Node(f"n{len(nodes)}", kind, label, tuple(np.shape(val)) if val is not None else (),
                 _dtype_name(val.dtype) if val is not None else "", 0, name, val, None,
                 list(inputs), differentiable)
        nodes.append(n)
        edges.extend((src, n.id, i) for i, src in enumerate(inputs))
        return n.id

    def ref(i) -> str:
        if isinstance(i, Const):
            val = _numpy(i.value) if isinstance(i.value, np.ndarray | np.generic | float |
                                                  int) else None
            return add("constant", _leaf_label("constant", by_id.get(id(i.value)), val), val,
                       name=by_id.get(id(i.value)))
        return node_of[i]

    for k, slot in enumerate(program.inputs):
        node_of[slot] = add("watched", _("input {index}").format(index=k),
                            program.values.get(slot))
    for step in program.live_steps():
        kind = step[0]
        if kind == "op":
            _k, op, ins, _params, out = step
            node_of[out] = add("op", op.name, program.values.get(out), [ref(i) for i in ins],
                               differentiable=op.differentiable)
        elif kind == "read":
            var = step[1]
            label = (_("argument {index}").format(index=var[1]) if isinstance(var, tuple)
                     else var.name.rsplit(":", 1)[0])
            node_of[step[2]] = add("variable", label, program.values.get(step[2]))
        elif kind == "write":
            _k, var, method, value = step
            label = var.name.rsplit(":", 1)[0] if not isinstance(var, tuple) else \
                _("argument {index}").format(index=var[1])
            add("op", f"{method} {label}",
                program.values.get(value) if isinstance(value, int) else None,
                [ref(value)], differentiable=False)
        elif kind == "call":
            _k, fn, _template, ins, outs = step
            cid = add("op", getattr(fn, "__qualname__", "call"), None,
                      [ref(i) for i in ins], differentiable=False)
            for o in outs:
                node_of[o] = cid
        elif kind == "guard":
            add("op", _("guard"), step[3], [node_of[step[1]]], differentiable=False)
    outs = [s for s in _slots_in(program.outputs) if s in node_of]
    return Graph(nodes, edges, target=node_of[outs[0]] if outs else None)


@dataclass
class Contribution:
    """What one backward step sends to one input: upstream x local = contribution."""

    input: str  # node id
    local: object  # the local derivative when it is a number, else None
    contribution: object
    total: object  # the input's accumulated gradient after this step
    accumulated: bool  # True when the input already had a gradient (fan-out)


@dataclass
class BackwardStep:
    """One op of the backward pass, in the order the tape runs them."""

    node: str  # node id of the op whose output gradient is being pushed back
    op: str
    upstream: object
    contributions: list


def backward_steps(tape, target, graph: Graph | None = None) -> tuple[Graph, list]:
    """The backward pass of ``target`` as a list of steps, for the stepper.

    Runs the tape's own backward pass (:func:`adkernel.engine.tape.backward`) and keeps
    what each step changed: the upstream gradient, each input's local derivative and
    contribution, and the input's running total where a value is used more than once.
    Memory is linear in the number of steps.
    """
    graph = graph or graph_of(tape, target)
    records = list(tape.view().records)
    op_nodes = {n.serial: n for n in graph.nodes if n.kind == "op"}
    v = target._value
    totals: dict = {}
    steps: list = []

    def on_step(idx, g, changes):
        node = op_nodes.get(records[idx].out)
        if node is None:  # an op of a recorded gradient call, not drawn (see graph_of)
            return
        contributions = []
        for pos, k, gi in changes:
            gi = np.asarray(gi)
            prev = totals.get(k)
            total = gi if prev is None else prev + gi
            totals[k] = total
            local = None
            if np.ndim(g) == 0 and gi.ndim == 0 and float(g) != 0:
                local = float(gi) / float(g)
            contributions.append(Contribution(node.inputs[pos], local, gi, total,
                                              prev is not None))
        steps.append(BackwardStep(node.id, records[idx].op.name, np.asarray(g),
                                  contributions))

    if v.dtype.kind == "f":
        backward(records, [target], [np.ones(v.shape, v.dtype) if v.ndim else v.dtype.type(1)],
                 on_step=on_step)
    return graph, steps


# ----- forward mode ------------------------------------------------------------------------


def set_tangents(graph: Graph, accumulator) -> Graph:
    """Give each node of ``graph`` its tangent from a ``ForwardAccumulator`` that was active
    while the tape recorded (nodes without one keep ``tangent=None``). Returns ``graph``."""
    known = accumulator._tangents
    for n in graph.nodes:
        t = known.get(n.serial) if n.serial else None
        if t is not None:
            n.tangent = np.asarray(t._value if isinstance(t, TensorLike) else t)
    return graph


@dataclass
class TangentIn:
    """What one input's tangent adds to an op's tangent: local derivative x incoming."""

    input: str  # node id
    incoming: object  # the input's tangent
    local: object  # the local derivative when it is a number, else None
    contribution: object  # local derivative applied to the incoming tangent


@dataclass
class ForwardStep:
    """One op of the forward pass with its tangent: the sum of what its inputs send."""

    node: str  # node id of the op
    op: str
    parts: list  # TangentIn, one per input that carries a tangent
    tangent: object  # the op's tangent (the accumulator's own number), or None


def _one_part(record, pos: int, tangent):
    """The op's tangent when only input ``pos`` moves (``tangent``), or None."""
    tans = [tangent if i == pos else None for i in range(len(record.values))]
    try:
        t = _tangent(record.op, None, record.values, record.params, _wrap(record.out_value),
                     tans, False)
    except Exception:  # a value the tape did not keep (Meta): the sum is still shown
        return None
    return None if t is None else np.asarray(t)


def forward_steps(tape, accumulator, graph: Graph) -> list:
    """The forward pass of ``graph`` with its tangents, one :class:`ForwardStep` per op.

    Each op's tangent is the accumulator's own; what each input contributes to it (local
    derivative x incoming tangent) is computed again from the recorded values with the
    accumulator's rule, one moving input at a time (the parts sum to the tangent: a
    JVP is linear in the tangents).
    """
    set_tangents(graph, accumulator)
    by_serial = {n.serial: n for n in graph.nodes if n.kind == "op"}
    by_id = {n.id: n for n in graph.nodes}
    steps: list = []
    for rec in tape.view().records:
        node = by_serial.get(rec.out)
        if node is None:
            continue
        parts = []
        for pos, src in enumerate(node.inputs):
            incoming = by_id[src].tangent
            v = rec.values[pos]
            if incoming is None or getattr(v, "dtype", np.asarray(v).dtype).kind not in "fc":
                continue
            part = _one_part(rec, pos, incoming)
            local = None
            if part is not None and np.ndim(part) == 0 and np.ndim(incoming) == 0 \
                    and float(incoming) != 0:
                local = float(part) / float(incoming)
            parts.append(TangentIn(src, incoming, local, part))
        steps.append(ForwardStep(node.id, rec.op.name, parts, node.tangent))
    return steps
