"""Differential fuzzer: random tape programs on TensorFlow and on ``adkernel.tf``, side by side.

A development tool (``docs/fuzzing.md``). It needs TensorFlow, which is no dependency of
adkernel: run it with the scratch environment that has it, from the checkout::

    PYTHONPATH=$PWD /work/tfvenv/bin/python tools/tf_fuzz.py --count 2000 --seed 1 --jobs 2

Programs come from the op registry (``adkernel.engine.registry``): every public function of an
op block or composite, and every Python operator, is called with arguments made from its
parameter names (``axis``, ``keepdims``, ``y``, ``perm``, ...: the table ``PARAMS`` below), so an
op registered tomorrow is fuzzed with no edit here; a function with a required parameter the
table does not know is skipped and counted. Each mismatch is shrunk (fewer ops, smaller shapes,
simpler values, fewer options) while its class stays the same, the classes are printed as a
table, and ``--write`` appends one row per class, with TensorFlow's frozen outcome, to
``tests/tf_fuzz_regressions.py``. TensorFlow is imported only inside the worker processes.
"""

from __future__ import annotations

import argparse
import copy
import fnmatch
import inspect
import itertools
import json
import math
import os
import pprint
import random
import re
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import fuzz_programs as fp  # noqa: E402
import numpy as np  # noqa: E402

REGRESSIONS = ROOT / "tests" / "tf_fuzz_regressions.py"
FLOATS = ("float32", "float64")
INTS = ("int32", "int64")
EDGE = (0.0, 1.0, -1.0, float("nan"), float("inf"), float("-inf"), 0.5, -0.5, 2.0)
# the first parameter with one of these names is the value the chain carries on
DATA = ("x", "features", "t", "input", "input_tensor", "tensor", "a", "logits", "params",
        "value", "values", "matrix", "y_pred", "inputs", "t_list")
SKIPPED_NAMES = {"name"}


# ----- the catalog: what can be called, from the registry ---------------------------------


def catalog(pattern: str | None = None) -> tuple[list[dict], Counter]:
    """Every fuzzable public function and operator, and the count of those skipped (by reason)."""
    import adkernel.tf  # noqa: F401  (registers the composites)
    from adkernel.engine import registry

    entries, skipped, seen = [], Counter(), set()
    names: dict[int, list[str]] = {}
    for n, fn in registry.exports().items():
        names.setdefault(id(fn), []).append(n)
    ops_fns = [op.public for op in registry.REGISTRY.values() if op.tf]
    comp_fns = [c[0] for c in registry._COMPOSITES if c[1]]
    for fn in ops_fns + comp_fns:
        if fn is None or id(fn) in seen or id(fn) not in names:
            continue
        seen.add(id(fn))
        entry = _entry(names[id(fn)], fn, skipped)
        if entry:
            entries.append(entry)
    op_dunders = [d for op in registry.REGISTRY.values() for d in op.operators]
    composite_dunders = [d for c in registry._COMPOSITES for d in c[3] if d not in op_dunders]
    for dunder in op_dunders + composite_dunders:  # (composites such as __rmatmul__ last)
        if fp.operator_fn(dunder) is None:
            skipped["operator with no interpreter form (" + dunder + ")"] += 1
            continue
        unary = dunder in ("__neg__", "__abs__", "__invert__", "__pos__")
        params = [("x", True)] if unary else [("x", True), ("y", True)]
        entries.append({"fn": dunder, "aliases": [dunder], "params": params})
    if pattern:
        entries = [e for e in entries if fnmatch.fnmatch(e["fn"], pattern)]
    return entries, skipped


def _entry(aliases: list[str], fn, skipped: Counter) -> dict | None:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        skipped["no signature"] += 1
        return None
    params = []
    for p in sig.parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or p.name in SKIPPED_NAMES:
            if p.kind == p.VAR_POSITIONAL and not params:
                skipped["takes *args first"] += 1
                return None
            continue
        required = p.default is p.empty
        if p.name not in PARAMS and p.name not in DATA:
            if required:
                skipped[f"required parameter {p.name!r} not in PARAMS"] += 1
                return None
            continue
        params.append((p.name, required))
    if not params or (params[0][0] not in DATA and params[0][0] not in FIRST_OK):
        skipped["first parameter is not a tensor"] += 1
        return None
    return {"fn": aliases[0], "aliases": aliases, "params": params}


# ----- values, inputs and partners ---------------------------------------------------------


def _values(rng, n: int, dtype: str, style: dict) -> list:
    if dtype in INTS:
        return [rng.randint(-3, 3) for _ in range(n)]
    if style["ties"]:
        return [rng.choice((0.5, 1.0, -1.0)) for _ in range(n)]
    out = []
    for _ in range(n):
        if rng.random() < style["edge"]:
            out.append(rng.choice(EDGE))
        else:
            out.append(round(rng.gauss(0.0, 1.5), 2))
    return out


def _size(shape) -> int:
    return math.prod(shape) if shape else 1


def _shape(rng) -> list:
    if rng.random() < 0.05:
        return [0, 3]
    rank = rng.choices((0, 1, 2, 3), (1, 3.5, 4, 1.5))[0]
    if rank == 2 and rng.random() < 0.3:
        d = rng.randint(1, 3)
        return [d, d]
    return [rng.randint(1, 3) for _ in range(rank)]


def _kind(rng) -> str:
    return rng.choices(("const", "watched", "var", "var_frozen"), (2.5, 4.5, 2, 1))[0]


def add_input(ctx, shape, dtype, kind=None) -> dict:
    prog = ctx["prog"]
    prog["inputs"].append({"shape": list(shape), "dtype": dtype, "kind": kind or _kind(ctx["rng"]),
                           "values": _values(ctx["rng"], _size(shape), dtype, ctx["style"])})
    return {"ref": len(prog["inputs"]) - 1}


def _partner_shape(rng, shape, fn):
    if "matmul" in fn or "matvec" in fn or "solve" in fn:
        if len(shape) >= 2:
            return [*shape[:-2], shape[-1], rng.randint(1, 3)] if "solve" not in fn else shape
    choice = rng.random()
    if choice < 0.6 or not shape:
        return list(shape)
    if choice < 0.85:
        return [1 if rng.random() < 0.5 else d for d in shape]
    return list(shape[rng.randint(0, len(shape)):])


def partner(ctx, same_shape=False):
    """A second operand: a tensor input, a Python number or a numpy array."""
    rng, shape, dtype = ctx["rng"], ctx["shape"], ctx["dtype"]
    r = rng.random()
    if r < 0.15 and not same_shape:
        return rng.choice((2, 0.5, -1.0, 0, 3, 1.5, -2))
    pshape = list(shape) if same_shape else _partner_shape(rng, shape, ctx["fn"])
    if r < 0.27:
        np_dtype = rng.choice(("float64", "float32", "int64", "int32"))
        return {"array": _values(rng, _size(pshape), np_dtype, ctx["style"]),
                "dtype": np_dtype, "shape": pshape}
    pdtype = dtype if rng.random() < 0.9 else rng.choice(FLOATS + INTS)
    return add_input(ctx, pshape, pdtype)


def _axis(ctx):
    rank = len(ctx["shape"])
    rng = ctx["rng"]
    if rng.random() < 0.25:
        return None
    if rank == 0:
        return rng.choice((0, -1))
    if rng.random() < 0.1 and rank > 1:
        return [rng.randrange(rank)]
    return rng.randint(-rank, rank - 1)


def _labels(ctx):
    rng, shape = ctx["rng"], ctx["shape"]
    if "sparse" in ctx["fn"]:
        n = shape[-1] if shape else 1
        lshape = shape[:-1]
        return {"array": [rng.randrange(max(n, 1)) for _ in range(_size(lshape))],
                "dtype": rng.choice(INTS), "shape": lshape}
    if rng.random() < 0.5:
        return partner(ctx, same_shape=True)
    values = [rng.choice((0.0, 0.25, 0.5, 1.0)) for _ in range(_size(ctx["shape"]))]
    return {"array": values, "dtype": ctx["dtype"], "shape": ctx["shape"]}


def _bool_array(ctx):
    rng = ctx["rng"]
    return {"array": [rng.random() < 0.5 for _ in range(_size(ctx["shape"]))], "dtype": "bool",
            "shape": ctx["shape"]}


def _shape_arg(ctx):
    shape, rng = ctx["shape"], ctx["rng"]
    return rng.choice(([-1], list(reversed(shape)), [_size(shape)], [2, *shape], [1, *shape]))


def _clip_bound(low: bool):
    def make(ctx):
        rng = ctx["rng"]
        if rng.random() < 0.3:
            return partner(ctx)
        return rng.choice((-1.0, 0.0, -0.5, 0.5) if low else (1.0, 0.5, 2.0, 0.0))
    return make


def _splits(ctx):
    shape = ctx["shape"]
    return ctx["rng"].choice((1, shape[0])) if shape and shape[0] else 1


def _list_of(ctx):
    return [ctx["cur"], partner(ctx, same_shape=True)]


# parameter name -> generator of an argument (encoded as fuzz_programs says)
PARAMS = {
    "y": partner, "b": partner, "rhs": partner, "y_true": partner, "labels": _labels,
    "axis": _axis, "axes": lambda c: [c["rng"].randrange(max(len(c["shape"]), 1))],
    "keepdims": lambda c: c["rng"].random() < 0.5,
    "exclusive": lambda c: c["rng"].random() < 0.5,
    "reverse": lambda c: c["rng"].random() < 0.5,
    "transpose_a": lambda c: c["rng"].random() < 0.3,
    "transpose_b": lambda c: c["rng"].random() < 0.3,
    "alpha": lambda c: c["rng"].choice((0.2, 0.1, 0.5, 1.5, 0.3)),
    "beta": lambda c: c["rng"].choice((1.0, 0.5, 2.0)),
    "clip_value_min": _clip_bound(True), "clip_value_max": _clip_bound(False),
    "clip_norm": lambda c: c["rng"].choice((1.0, 0.5, 2.0)),
    "dtype": lambda c: {"dtype": c["rng"].choice(FLOATS + INTS)},
    "shape": _shape_arg,
    "perm": lambda c: c["rng"].sample(range(len(c["shape"])), len(c["shape"])),
    "multiples": lambda c: [c["rng"].randint(1, 2) for _ in c["shape"]],
    "paddings": lambda c: [[c["rng"].randint(0, 1), c["rng"].randint(0, 1)] for _ in c["shape"]],
    "indices": lambda c: [c["rng"].randrange(max(c["shape"][0], 1)) if c["shape"] else 0
                          for _ in range(c["rng"].randint(1, 3))],
    "ids": lambda c: [c["rng"].randrange(max(c["shape"][0], 1)) if c["shape"] else 0],
    "depth": lambda c: 3, "num_or_size_splits": _splits,
    "mask": _bool_array, "condition": _bool_array,
    "direction": lambda c: c["rng"].choice(("ASCENDING", "DESCENDING")),
}
# a function whose first parameter is one of these still gets a generated chain value later
FIRST_OK = ("condition", "labels", "indices")


# ----- programs ------------------------------------------------------------------------------


def _call(ctx, entry) -> dict:
    """One op: the chain value for the first tensor parameter, generated arguments for the
    rest (optional ones half the time, by keyword; required ones by position)."""
    args, kwargs, data_used = [], {}, False
    rng = ctx["rng"]
    for pname, required in entry["params"]:
        always = pname in DATA or pname in ("labels", "y")
        if pname in ("inputs", "t_list"):
            arg, data_used = _list_of(ctx), True
        elif pname in DATA and not data_used:
            arg, data_used = ctx["cur"], True
            if pname == "values" and rng.random() < 0.4:
                arg = _list_of(ctx)
        elif pname in DATA:
            arg = partner(ctx, same_shape=pname == "logits")
        elif not required and not always and rng.random() < 0.5:
            continue
        else:
            arg = PARAMS[pname](ctx)
        if required and not kwargs:
            args.append(arg)
        else:
            kwargs[pname] = arg
    return {"fn": entry["fn"], "args": args, "kwargs": kwargs}


def _probe(prog, ak):
    """adkernel's forward value of the program so far: (shape, dtype, is_list) or None."""
    out = fp.run({**prog, "grad": {"mode": "none"}}, ak)
    if "error" in out or not out.get("out"):
        return None
    first = out["out"][0]
    return first["shape"], first["dtype"], len(out["out"]) > 1 or _returns_list(prog, ak)


def _returns_list(prog, ak):
    vals = fp._make_inputs(prog, ak)[0]
    result = fp._forward(prog, ak, vals)
    return isinstance(result, list | tuple)


def generate(seed: int, index: int, entries: list[dict], ak, dtypes=None) -> dict:
    """Program number ``index`` of ``seed`` (the same every time); ``dtypes`` limits the
    dtype of the first input."""
    rng = random.Random(f"{seed}:{index}")
    style = {"edge": rng.choice((0.0, 0.1, 0.3)), "ties": rng.random() < 0.12}
    prog = {"inputs": [], "ops": [], "grad": {"mode": "none"}}
    dtype = rng.choices(FLOATS + INTS, (5, 2.5, 1.5, 1))[0]
    if dtypes and dtype not in dtypes:
        dtype = dtypes[index % len(dtypes)]
    ctx = {"rng": rng, "prog": prog, "style": style, "shape": _shape(rng), "dtype": dtype,
           "fn": ""}
    ctx["cur"] = add_input(ctx, ctx["shape"], dtype, rng.choice(("watched", "var", "const",
                                                                  "watched", "var_frozen")))
    for _ in range(rng.choices((1, 2, 3, 4), (4, 3, 2, 1))[0]):
        entry = rng.choice(entries)
        ctx["fn"] = entry["fn"]
        prog["ops"].append(_call(ctx, entry))
        probe = _probe(prog, ak)
        if probe is None:
            break
        ctx["shape"], ctx["dtype"], is_list = probe
        ctx["cur"] = {"ref": len(prog["inputs"]) + len(prog["ops"]) - 1}
        if is_list:
            ctx["cur"]["item"] = 0
        if ctx["dtype"] not in FLOATS + INTS:
            break
    prog["grad"] = _grad_options(rng, ctx["dtype"])
    return prog


def _grad_options(rng, dtype) -> dict:
    if dtype in FLOATS:
        mode = rng.choices(("none", "grad", "grad_og", "second", "jacobian"),
                           (1, 4.5, 1, 2.5, 1))[0]
    elif dtype in INTS:
        mode = rng.choice(("none", "grad"))
    else:
        mode = "none"
    return {"mode": mode, "weights": rng.choice(("ones", "ramp", "ramp0")),
            "unconnected": "zero" if rng.random() < 0.3 else None}


# ----- shrinking -----------------------------------------------------------------------------


def _refs(obj):
    if isinstance(obj, dict):
        if "ref" in obj:
            yield obj
        else:
            for v in obj.values():
                yield from _refs(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _refs(v)


def _drop_op(prog, k):
    """``prog`` without op ``k`` (its users read its first tensor argument instead)."""
    n_in = len(prog["inputs"])
    prog = copy.deepcopy(prog)
    op = prog["ops"][k]
    first = next(_refs(op["args"]), None)
    if first is None:
        return None
    del prog["ops"][k]
    for r in _refs(prog["ops"]):
        if r["ref"] == n_in + k:
            r["ref"] = first["ref"]
            r.pop("item", None)
            if "item" in first:
                r["item"] = first["item"]
        elif r["ref"] > n_in + k:
            r["ref"] -= 1
    return _drop_unused_inputs(prog) if prog["ops"] else None


def _drop_unused_inputs(prog):
    used = {r["ref"] for r in _refs(prog["ops"])}
    n_in = len(prog["inputs"])
    keep = [i for i in range(n_in) if i in used or (i == 0 and not prog["ops"])]
    if len(keep) == n_in:
        return prog
    new_index = {old: new for new, old in enumerate(keep)}
    shift = n_in - len(keep)
    for r in _refs(prog["ops"]):
        r["ref"] = new_index[r["ref"]] if r["ref"] < n_in else r["ref"] - shift
    prog["inputs"] = [prog["inputs"][i] for i in keep]
    return prog


def _candidates(prog):
    for k in reversed(range(len(prog["ops"]))):
        yield _drop_op(prog, k)
    grad = prog["grad"]
    for key, simpler in (("mode", "grad"), ("mode", "none"), ("unconnected", None),
                         ("weights", "ones")):
        if grad.get(key) != simpler and not (key == "mode" and grad["mode"] == "none"):
            yield {**prog, "grad": {**grad, key: simpler}}
    for i, spec in enumerate(prog["inputs"]):
        for kind in ("const", "watched"):
            if spec["kind"] != kind:
                yield _with_input(prog, i, kind=kind)
        for d, size in enumerate(spec["shape"]):
            if size > 1:
                shape = [*spec["shape"][:d], 1, *spec["shape"][d + 1:]]
                yield _with_input(prog, i, shape=shape, values=spec["values"][:_size(shape)])
        for j, v in enumerate(spec["values"]):
            for simple in (0, 1, -1):
                if (isinstance(v, float) and not math.isnan(v) and v != simple) or (
                        isinstance(v, int) and v != simple and abs(v) > 1):
                    values = list(spec["values"])
                    values[j] = type(v)(simple)
                    yield _with_input(prog, i, values=values)
                    break


def _with_input(prog, i, **change):
    prog = copy.deepcopy(prog)
    prog["inputs"][i].update(change)
    return prog


def shrink(prog, key, check, budget=120):
    """The smallest program found for which ``check`` still gives class ``key``."""
    improved = True
    while improved and budget > 0:
        improved = False
        for cand in _candidates(prog):
            if cand is None:
                continue
            budget -= 1
            if check(cand) == key:
                prog, improved = cand, True
                break
            if budget <= 0:
                break
    return prog


# ----- running, in worker processes --------------------------------------------------------


def _modules():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import warnings

    warnings.filterwarnings("ignore")
    import tensorflow as tf

    import adkernel.tf as ak

    tf.get_logger().setLevel("ERROR")
    return tf, ak


def class_of(prog, verdict) -> str:
    ops = "→".join(op["fn"] for op in prog["ops"])
    dtypes = "/".join(sorted({i["dtype"] for i in prog["inputs"]}))
    return f"{ops} [{dtypes}, {prog['grad']['mode']}] {verdict['key']}"


def judge(prog, tf, ak):
    """``(tf_outcome, ak_outcome, reference, verdict)``. A value difference in a program with
    float32 in it is judged again with TensorFlow's outcome of the float64 program as the
    reference (``fp.compare``'s ``reference``; else ``reference`` is None): adkernel at least
    as close to it as TensorFlow's float32 answer is float32 rounding, not a difference."""
    tf_out, ak_out = fp.run(prog, tf), fp.run(prog, ak)
    verdict = fp.compare(tf_out, ak_out, prog)
    if verdict["equal"] or verdict["kind"] != "value" or fp.loosest_float(prog) != "float32":
        return tf_out, ak_out, None, verdict
    reference = fp.run(fp.promoted(prog), tf)
    return tf_out, ak_out, reference, fp.compare(tf_out, ak_out, prog, reference,
                                                 fp.run(fp.promoted(prog), ak))


def work(job):
    """One worker: programs ``start, start + step, ...`` below ``stop``; its findings."""
    seed, start, stop, step, pattern, per_class, dtypes = job
    tf, ak = _modules()
    entries, _ = catalog(pattern)
    entries = [e for e in entries if _tf_name(tf, e)]

    def check(prog):
        verdict = judge(prog, tf, ak)[3]
        return None if verdict["equal"] else verdict["key"]

    findings, raw = [], Counter()
    t0, count, shrink_seconds = time.perf_counter(), 0, 0.0
    for index in range(start, stop, step):
        prog = generate(seed, index, entries, ak, dtypes)
        count += 1
        verdict = judge(prog, tf, ak)[3]
        if verdict["equal"]:
            continue
        raw_class = ("→".join(o["fn"] for o in prog["ops"]), verdict["key"])
        raw[raw_class] += 1
        if raw[raw_class] > per_class:
            findings.append({"index": index, "skipped": True, "raw": list(raw_class)})
            continue
        t_shrink = time.perf_counter()
        small = shrink(prog, verdict["key"], check)
        shrink_seconds += time.perf_counter() - t_shrink
        tf_small, ak_small, ref_small, v_small = judge(small, tf, ak)
        findings.append({"index": index, "program": small, "tf_outcome": tf_small,
                         "ak_outcome": ak_small, "verdict": v_small, "raw": list(raw_class),
                         "class": class_of(small, v_small),
                         **({"tf_reference": ref_small} if ref_small else {})})
    return {"count": count, "seconds": time.perf_counter() - t0, "findings": findings,
            "shrink_seconds": shrink_seconds}


def _tf_name(tf, entry) -> bool:
    """Call ``entry`` by its first name TensorFlow also has (False: TensorFlow has none)."""
    for name in entry["aliases"]:
        try:
            fp.resolve(tf, name)
        except AttributeError:
            continue
        entry["fn"] = name
        return True
    print(f"  (TensorFlow has none of {entry['aliases']}: not fuzzed)", file=sys.stderr)
    return False


# ----- the report and the regression table ---------------------------------------------------


# ----- documented differences: counted apart from the mismatch classes ----------------------


def _operand_ranks(prog) -> list:
    """The ranks of the last op's tensor operands that the program states (an input or an
    array); an earlier op's result has no stated rank and is left out."""
    last = prog["ops"][-1]
    ranks = []
    for arg in list(last["args"]) + list(last["kwargs"].values()):
        if isinstance(arg, dict) and "array" in arg:
            ranks.append(len(arg["shape"]))
        elif (isinstance(arg, dict) and "ref" in arg and "item" not in arg
              and arg["ref"] < len(prog["inputs"])):
            ranks.append(len(prog["inputs"][arg["ref"]]["shape"]))
    return ranks


# Differences kept on purpose that no ``tf_is_wrong`` row can hold (TensorFlow is not wrong
# there: adkernel chose otherwise). Each names its place in the docs and, with ``when``, the
# programs it covers; the last op and the verdict key must both be the same.
DELIBERATE = (
    {"ops": ("__rmatmul__",), "key": "error/raises (forward:InvalidArgumentError vs ok)",
     "when": lambda prog: 1 in _operand_ranks(prog),
     "why": "numpy array @ tensor with a 1-d operand follows numpy's matmul rules",
     "doc": "docs/tf-compat.md#other-differences-you-can-observe"},
)


def documented_keys(rows=None) -> list[dict]:
    """One entry per documented difference: every ``tf_is_wrong`` row of the regression table
    (its op chain, and the verdict key of TensorFlow's outcome against adkernel's ``expected``:
    the kind of difference the row documents), then ``DELIBERATE``."""
    rows = load_rows() if rows is None else rows
    keys, seen = [], set()
    for row in rows:
        if not row.get("tf_is_wrong"):
            continue
        ops = tuple(op["fn"] for op in row["program"]["ops"])
        key = fp.compare(row["tf_outcome"], row["expected"], row["program"])["key"]
        if (ops, key) not in seen:
            seen.add((ops, key))
            entry = {"ops": ops, "key": key, "why": row["tf_is_wrong"],
                     "doc": "docs/tf-compat.md#deliberate-differences"}
            how = THROUGH.get(ops[-1], {})
            if how.get("input") and key in how["keys"]:
                # top_k's NaN comparisons: only where its input holds a NaN
                entry["when"] = lambda prog, named=how["input"]: _input_is(prog, named)
            keys.append(entry)
    return keys + list(DELIBERATE)


_BACKWARD_STAGES = {"gradient", "second"}


def _backward_key(key: str) -> bool:
    """True for a verdict key of a difference in a gradient: gradient values (``grad/...``,
    ``grad2/...``) or an error raised (on each side that raised) while differentiating."""
    if key.startswith("grad"):
        return True
    stages = re.findall(r"(\w+):\w+", key)
    return key.startswith("error/") and bool(stages) and set(stages) <= _BACKWARD_STAGES


def _chain_matches(entry_ops: tuple, ops: tuple, key: str) -> bool:
    """The same op chain; or, for a one-op entry, that op last (a forward difference comes
    from the last op: ops before it only make its input); or, for a difference in a gradient,
    that op anywhere in the chain (the backward pass goes through every op, so whatever
    follows it, the documented op's gradient is taken and shows the same way)."""
    if entry_ops == ops:
        return True
    if len(entry_ops) != 1:
        return False
    return ops[-1:] == entry_ops or (_backward_key(key) and entry_ops[0] in ops)


def documented_by(prog, verdict, keys, tf_outcome=None) -> dict | None:
    """The entry of ``keys`` that documents this finding, or None. Same verdict key, an op
    chain that matches (``_chain_matches``), and the entry's ``when``, if any; else, with
    TensorFlow's outcome, a documented difference reached through another op (``THROUGH``)."""
    ops = tuple(op["fn"] for op in prog["ops"])
    for entry in keys:
        if entry["key"] != verdict["key"]:
            continue
        if not _chain_matches(entry["ops"], ops, verdict["key"]):
            continue
        if entry.get("when") is None or entry["when"](prog):
            return entry
    return _documented_through(prog, verdict, keys, tf_outcome)


# ----- documented differences reached through another op -------------------------------------
# A documented difference of op X also shows when a later op carries X's result on (erf(inf)
# in float64 then `> -2`: False against True) or when earlier ops make X's input (top_k of
# xlogy's NaN). Such a finding is documented only when it provably comes from X's documented
# behaviour and from nothing else:
# - ``tf_like``: X made to behave as the docs say TensorFlow's X does; adkernel's program run
#   again with it gives TensorFlow's outcome exactly (then the whole difference is X's);
# - ``input``: (for an op whose TensorFlow answer cannot be reproduced, such as top_k's NaN
#   comparisons) X is the last op, the difference is in the outputs, it is of a kind a
#   documented row of X shows, and X's input (computed by adkernel) has the property the docs
#   name. An earlier op that made that input wrongly would show on its own, as the last op of
#   other programs.


def _erf_like_tf(ak):
    def erf(x, name=None):
        y = ak.math.erf(x)
        if y.dtype != ak.float64:
            return y
        infinite = np.broadcast_to(np.isinf(np.asarray(x)), y.shape)
        return ak.where(ak.constant(infinite), ak.constant(np.full(y.shape, np.nan)), y)
    return erf


def _rmatmul_like_tf(ak):
    from adkernel.engine.errors import invalid_argument

    def rmatmul(x, a):  # the program's order: ``x.__rmatmul__(a)`` is ``a @ x``
        if np.ndim(np.asarray(x)) < 2 or np.ndim(np.asarray(a)) < 2:
            raise invalid_argument("matmul needs rank >= 2 on both sides", op="MatMul")
        return a @ x
    return rmatmul


def _gather_nd_like_tf(ak):
    """gather_nd whose gradient fails where TensorFlow 2.21's does (documented: 1-d indices,
    one element or a whole slice; a ScatterNd shape error, InvalidArgumentError)."""
    from adkernel.engine.errors import invalid_argument

    def gather_nd(params, indices, *args, **kwargs):
        if np.ndim(np.asarray(indices)) != 1:
            return ak.gather_nd(params, indices, *args, **kwargs)

        @ak.custom_gradient
        def picked(p):
            def grad(upstream):
                raise invalid_argument("ScatterNd: shape error (TensorFlow 2.21's gather_nd "
                                       "gradient)", op="ScatterNd")
            return ak.gather_nd(p, indices, *args, **kwargs), grad
        return picked(params)
    return gather_nd


class _KeysStarting(tuple):
    """Verdict keys given by their beginning (``key in keys``)."""

    def __contains__(self, key) -> bool:
        return any(key.startswith(start) for start in self)


def _holds_nan(x) -> bool:
    values = np.asarray(x)
    return values.dtype.kind == "f" and bool(np.isnan(values).any())


def _nudged(op_name, which, toward):
    """``op_name`` with its operand ``which`` (in the program's order) moved by one unit in
    the last place toward ``toward`` (the move is a constant added on the tape, so gradients
    still flow)."""
    def make(ak):
        fn = fp.resolve(ak, op_name)

        def nudged(*args, **kwargs):
            args = list(args)
            v = np.asarray(args[which])
            if v.dtype.kind == "f":
                step = (np.nextafter(v, toward) - v).astype(v.dtype)
                args[which] = args[which] + (ak.constant(step) if isinstance(
                    args[which], ak.Tensor | ak.Variable) else step)
            return fn(*args, **kwargs)
        return nudged
    return make


def _numerically_singular(x) -> bool:
    """A batch of square float matrices, one of which has lost all but a few digits
    (condition number above 1e-4 / eps of its dtype)."""
    a = np.asarray(x)
    if a.dtype.kind != "f" or a.ndim < 2 or a.shape[-1] != a.shape[-2] or not a.size:
        return False
    if not np.isfinite(a).all():
        return False
    with np.errstate(all="ignore"):
        cond = np.linalg.cond(a.astype(np.float64))
    return bool(np.any(~(cond * np.finfo(a.dtype).eps < 1e-4)))


# sort / argsort: TensorFlow compares NaN as if it were equal to everything, so where a NaN
# lands depends on its kernel's algorithm (not reproducible); the numbers keep their order.
_MAX_NAN_ORDERS = 2000
_NAN_ORDER_WHY = ("sort/argsort put a NaN where TensorFlow's comparisons with NaN leave it "
                  "(unspecified); with the NaNs moved, and the numbers in adkernel's order, "
                  "the program gives TensorFlow's outcome exactly")
_DELIBERATE_DOC = "docs/tf-compat.md#deliberate-differences"


def _row_orders(row, order, limit):
    """Every order of one slice that keeps its numbers in ``order`` (adkernel's order with
    the NaNs taken out) and puts its NaNs anywhere; None past ``limit``."""
    nans = [i for i in range(len(row)) if np.isnan(row[i])]
    numbers = [i for i in order if not np.isnan(row[i])]
    n, out = len(row), []
    for slots in itertools.combinations(range(n), len(nans)):
        for perm in itertools.permutations(nans):
            full, it_nan, it_num = [], iter(perm), iter(numbers)
            for j in range(n):
                full.append(next(it_nan) if j in slots else next(it_num))
            out.append(full)
            if len(out) > limit:
                return None
    return out


def _nan_orders(x, axis, direction):
    """The index arrays (argsort's answer) TensorFlow's NaN comparisons may give for ``x``:
    adkernel's order of the numbers in each slice, the NaNs in any places; [] when there are
    more than ``_MAX_NAN_ORDERS``."""
    from adkernel import tf as ak

    order = np.asarray(ak.argsort(x, axis=axis, direction=direction))
    if not order.size:
        return [order.astype(np.int32)]
    a = np.moveaxis(np.asarray(x), axis, -1)
    o = np.moveaxis(order, axis, -1)
    rows, orders = a.reshape(-1, a.shape[-1]), o.reshape(-1, a.shape[-1])
    per_row = []
    for row, ordr in zip(rows, orders, strict=True):
        found = _row_orders(row, list(ordr), _MAX_NAN_ORDERS)
        if found is None:
            return []
        per_row.append(found)
    total = 1
    for found in per_row:
        total *= len(found)
    if total > _MAX_NAN_ORDERS:
        return []
    return [np.moveaxis(np.array(choice, dtype=np.int32).reshape(o.shape), -1, axis)
            for choice in itertools.product(*per_row)]


def _nan_ordered(op_name):
    """``op_name`` (sort or argsort) giving, at its i-th replay, the i-th of the orders
    TensorFlow's NaN comparisons allow (``_nan_orders``): a generator of ``tf_like`` makers
    for one program, which stops when the orders run out."""
    def makers(prog):
        seen = {"count": None}
        i = 0
        while i < _MAX_NAN_ORDERS and (i == 0 or i < (seen["count"] or 0)):
            yield _nan_order_maker(op_name, i, seen)
            i += 1
    return makers


def _nan_order_maker(op_name, i, seen):
    def make(ak):
        def op(values, axis=-1, direction="ASCENDING", **kwargs):
            x = values if isinstance(values, ak.Tensor | ak.Variable) else ak.convert_to_tensor(
                values)
            orders = _nan_orders(x, axis, direction)
            seen["count"] = len(orders)
            if i >= len(orders):
                raise LookupError("no more NaN orders")
            idx = orders[i]
            if op_name == "argsort":
                return ak.constant(idx)
            ax = axis % x.shape.rank
            moved = np.moveaxis(idx, ax, -1)
            flat = (moved + np.arange(moved.size // moved.shape[-1]).reshape(
                (*moved.shape[:-1], 1)) * moved.shape[-1]).reshape(-1)
            perm = [d for d in range(x.shape.rank) if d != ax] + [ax]
            back = np.argsort(perm).tolist()
            xt = ak.transpose(x, perm)
            got = ak.gather(ak.reshape(xt, [-1]), ak.constant(flat))
            return ak.transpose(ak.reshape(got, xt.shape), back)
        return op
    return make


def _topk_nan_choices(prog):
    """top_k reached through a later op: at its i-th replay, the i-th way TensorFlow's NaN
    comparisons may fill the rows holding a NaN (any k entries of such a row, in any order:
    its answer there can even skip a larger number), every other row as adkernel picks it."""
    seen = {"count": None}
    i = 0
    while i < _MAX_NAN_ORDERS and (i == 0 or i < (seen["count"] or 0)):
        yield _topk_choice_maker(i, seen)
        i += 1


def _topk_choice_maker(i, seen):
    def make(ak):
        def op(input, k=1, sorted=True, **kwargs):
            x = input if isinstance(input, ak.Tensor | ak.Variable) else ak.convert_to_tensor(
                input)
            base = ak.math.top_k(x, k, sorted=sorted, **kwargs)
            v = x.numpy()
            n, k = v.shape[-1], int(k)
            rows = v.reshape(-1, n)
            idx = np.array(base[1].numpy(), dtype=np.int64).reshape(-1, k)
            nan_rows = [r for r in range(rows.shape[0]) if np.isnan(rows[r]).any()]
            ways = list(itertools.permutations(range(n), k))
            seen["count"] = count = len(ways) ** len(nan_rows)
            if i >= min(count, _MAX_NAN_ORDERS):
                raise LookupError("no more top_k choices")
            rest = i
            for r in nan_rows:
                rest, pick = divmod(rest, len(ways))
                idx[r] = ways[pick]
            flat = (idx + np.arange(rows.shape[0]).reshape(-1, 1) * n).reshape(-1)
            values = ak.reshape(ak.gather(ak.reshape(x, [-1]), ak.constant(flat)),
                                [*v.shape[:-1], k])
            indices = ak.constant(idx.reshape(*v.shape[:-1], k).astype(
                base[1].numpy().dtype))
            return type(base)(values, indices)
        return op
    return make


_ROUNDING_DOC = "docs/tf-compat.md#other-differences-you-can-observe"
_STEP_WHY = ("a result that jumps (floor, //, %) at a quotient within one unit in the last "
             "place of the jump: TensorFlow's and numpy's kernels round that last place "
             "differently; moved by one ulp, adkernel gives TensorFlow's outcome")
_STEP_OPS = ("__floordiv__", "__rfloordiv__", "math.floordiv", "__mod__", "__rmod__",
             "math.floormod")

THROUGH = {
    "math.erf": {"tf_like": (_erf_like_tf,)},
    "__rmatmul__": {"tf_like": (_rmatmul_like_tf,)},
    # TensorFlow fails in gather_nd's gradient; adkernel goes on and the program raises later
    # (the second pass adds float32 and float64 gradients): the same root cause
    "gather_nd": {"tf_like": (_gather_nd_like_tf,),
                  "keys": _KeysStarting(("error/error-type (gradient:InvalidArgumentError vs ",
                                         "error/raises (gradient:InvalidArgumentError vs ok)")),
                  "why": "TensorFlow 2.21's gradient of gather_nd fails (ScatterNd shape error) "
                         "where adkernel's goes on; with that failure put in, adkernel gives "
                         "TensorFlow's outcome exactly",
                  "doc": _DELIBERATE_DOC},
    # top_k last: its input holds a NaN; top_k before another op: a replay with the rows
    # holding a NaN filled as TensorFlow's comparisons may fill them gives its outcome
    "math.top_k": {"input": _holds_nan, "keys": ("out/value", "out/nan-position"),
                   "tf_like_later": _topk_nan_choices},
    **{name: {"tf_like": _nan_ordered(name), "keys": ("out/value", "out/nan-position"),
              "why": _NAN_ORDER_WHY, "doc": _DELIBERATE_DOC} for name in ("sort", "argsort")},
    "linalg.inv": {"input": _numerically_singular,
                   "keys": ("out/value", "error/raises (ok vs forward:InvalidArgumentError)",
                            "error/raises (forward:InvalidArgumentError vs ok)"),
                   "why": "the inverse of a numerically singular matrix is rounding noise "
                          "(Eigen's LU in TensorFlow, LAPACK's here): its digits differ, and "
                          "whether a pivot comes out exactly 0 (an error) depends on the last "
                          "bits of the input",
                   "doc": _ROUNDING_DOC},
    **{name: {"tf_like": tuple(_nudged(name, which, toward) for which in (0, 1)
                               for toward in (np.inf, -np.inf)),
              "keys": ("out/value",), "why": _STEP_WHY, "doc": _ROUNDING_DOC}
       for name in _STEP_OPS},
}


class _Namespace:
    """``tf`` with a few extra names (the replaced ops of a replay)."""

    def __init__(self, base, extra):
        self._base, self._extra = base, extra

    def __getattr__(self, name):
        return self._extra[name] if name in self._extra else getattr(self._base, name)


def _replays_as_tf(prog, tf_outcome, op_name, make) -> bool:
    """adkernel's run of ``prog`` with ``op_name`` replaced by ``make(adkernel.tf)`` gives
    ``tf_outcome``."""
    from adkernel import tf as ak

    patched = json.loads(json.dumps(prog))
    for op in patched["ops"]:
        if op["fn"] == op_name:
            op["fn"] = "_tf_like"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            got = fp.run(patched, _Namespace(ak, {"_tf_like": make(ak)}))
    return fp.compare(tf_outcome, got, prog)["equal"]


def _last_input(prog):
    """adkernel's value of the last op's first tensor argument."""
    from adkernel import tf as ak

    last = prog["ops"][-1]
    arg = last["args"][0] if last["args"] else next(iter(last["kwargs"].values()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            vals = fp._make_inputs(prog, ak)[0]
            if len(prog["ops"]) > 1:
                fp._forward({**prog, "ops": prog["ops"][:-1]}, ak, vals)
            return fp._decode(arg, ak, vals)


def _input_is(prog, named) -> bool:
    try:
        return bool(named(_last_input(prog)))
    except Exception:  # an input adkernel cannot make documents nothing
        return False


def _documented_through(prog, verdict, keys, tf_outcome) -> dict | None:
    ops = [op["fn"] for op in prog["ops"]]
    for op_name, how in THROUGH.items():
        if op_name not in ops or ("keys" in how and verdict["key"] not in how["keys"]):
            continue
        own = ({"ops": (op_name,), "key": verdict["key"], "why": how["why"], "doc": how["doc"]}
               if "doc" in how else None)
        entries = [own] if own else [e for e in keys if e["ops"][-1] == op_name]
        if not entries:
            continue
        later = "tf_like_later" in how and ops[-1] != op_name
        if "tf_like" in how or later:
            like = how["tf_like_later"] if later else how["tf_like"]
            makes = like(prog) if callable(like) else like
            if tf_outcome is None or not any(_replays_as_tf(prog, tf_outcome, op_name, make)
                                             for make in makes):
                continue
            entry = entries[0]
        else:
            matching = [e for e in entries if e["key"] == verdict["key"]]
            if ops[-1] != op_name or not matching:
                continue
            if not _input_is(prog, how["input"]):
                continue
            entry = matching[0]
        return {**entry, "why": f"through another op: {entry['why']}"}
    return None


def split_documented(classes: dict, keys=None) -> tuple[dict, dict]:
    """(undocumented classes, documented classes, each entry with its ``documented`` entry)."""
    keys = documented_keys() if keys is None else keys
    new, known = {}, {}
    for cls, entry in classes.items():
        doc = documented_by(entry["example"]["program"], entry["example"]["verdict"], keys,
                            entry["example"].get("tf_outcome"))
        if doc is None:
            new[cls] = entry
        else:
            known[cls] = {**entry, "documented": doc}
    return new, known


def print_documented(known: dict, out=sys.stdout) -> None:
    total = sum(e["count"] for e in known.values())
    print(f"\ndocumented (TensorFlow is off / deliberate): {total} finding(s) in "
          f"{len(known)} class(es)", file=out)
    for cls, entry in sorted(known.items(), key=lambda kv: -kv[1]["count"]):
        doc = entry["documented"]
        print(f"{entry['count']:5d}  {cls}  ({doc['doc']}: {doc['why'][:70]})", file=out)



def summarize(findings: list[dict]) -> dict:
    """{class: {"count": n, "example": finding}}; skipped duplicates count to their raw class's
    shrunk class."""
    by_raw, classes = {}, {}
    for f in findings:
        if not f.get("skipped"):
            by_raw.setdefault(tuple(f["raw"]), f["class"])
            entry = classes.setdefault(f["class"], {"count": 0, "example": f})
            entry["count"] += 1
            if len(json.dumps(f["program"])) < len(json.dumps(entry["example"]["program"])):
                entry["example"] = f
    for f in findings:
        if f.get("skipped") and tuple(f["raw"]) in by_raw:
            classes[by_raw[tuple(f["raw"])]]["count"] += 1
    return classes


def print_kinds(classes: dict, out=sys.stdout) -> None:
    """The short table: one line per kind of difference, with the ops it was seen on."""
    kinds: dict[str, dict] = {}
    for cls, entry in classes.items():
        verdict = entry["example"]["verdict"]
        row = kinds.setdefault(verdict["key"], {"count": 0, "ops": Counter()})
        row["count"] += entry["count"]
        row["ops"][cls.split(" [")[0]] += entry["count"]
    print(f"\n{len(kinds)} kind(s) of difference", file=out)
    print("| count | difference (TF vs adkernel) | ops (shrunk chains) |", file=out)
    print("|---|---|---|", file=out)
    for key, row in sorted(kinds.items(), key=lambda kv: -kv[1]["count"]):
        common = row["ops"].most_common()
        ops = ", ".join(f"{op} ({n})" for op, n in common[:12])
        if len(common) > 12:
            ops += f", and {len(common) - 12} more"
        print(f"| {row['count']} | {key} | {ops} |", file=out)


def print_table(classes: dict, out=sys.stdout) -> None:
    print(f"\n{len(classes)} mismatch class(es)", file=out)
    rows = sorted(classes.items(), key=lambda kv: -kv[1]["count"])
    for cls, entry in rows:
        ex = entry["example"]
        print(f"\n{entry['count']:5d}  {cls}", file=out)
        print(f"       {ex['verdict']['detail']}", file=out)
        print(f"       program: {json.dumps(ex['program'])}", file=out)
        print(f"       TF:       {fp.outcome_text(ex['tf_outcome'])}", file=out)
        print(f"       adkernel: {fp.outcome_text(ex['ak_outcome'])}", file=out)


def load_rows() -> list[dict]:
    if not REGRESSIONS.exists():
        return []
    namespace: dict = {}
    exec(compile(REGRESSIONS.read_text(encoding="utf-8"), str(REGRESSIONS), "exec"), namespace)
    return namespace["ROWS"]


_HEADER = '''"""Differences from TensorFlow 2.21 found by tools/tf_fuzz.py, frozen
(docs/fuzzing.md).

Generated by ``tools/tf_fuzz.py --write`` (which appends); notes may be edited by hand. Each row:
``program`` (tests/fuzz_programs.py's format), ``tf_outcome`` (what TensorFlow 2.21 gave),
``note``; optionally ``open`` (the issue item that will fix it: the test expects a failure until
then), ``tf_is_wrong`` (why adkernel keeps its own answer, ``expected``, instead),
``through`` (a documented difference of that op reached through another op: the row must still
differ, and only by it; tools/tf_fuzz.py's ``THROUGH``) and ``tf_reference`` (TensorFlow's
outcome of the program in float64: a float32 difference that is rounding, see
tests/fuzz_programs.py's ``compare``).
"""

nan = float("nan")
inf = float("inf")

ROWS = '''


def write_rows(rows: list[dict]) -> None:
    text = _HEADER + pprint.pformat(rows, width=100, compact=True, sort_dicts=False) + "\n"
    REGRESSIONS.write_text(text, encoding="utf-8")


def _has(ops, *names):
    return any(any(n in op for n in names) for op in ops)


# (test, item): the first test that holds names the issue-20 item a new row waits for
_ITEMS = [
    (lambda ops, v, p: v["where"] == "grad2" and _has(ops, "softplus", "log_sigmoid",
                                                     "sigmoid_cross_entropy"), 1),
    (lambda ops, v, p: "gradient:TypeError" in v["key"] and _int_inputs(p), 2),
    (lambda ops, v, p: _has(ops, "rsqrt") and v["kind"] == "nan-position", 3),
    (lambda ops, v, p: _has(ops, "reduce_min", "reduce_max") and v["kind"] == "nan-position", 4),
    (lambda ops, v, p: _has(ops, "pow") and v["kind"] == "nan-position", 5),
    (lambda ops, v, p: _has(ops, "relu") and v["where"] == "grad2", 6),
    (lambda ops, v, p: _has(ops, "clip_by_value") and v["where"] != "error", 7),
    (lambda ops, v, p: _has(ops, "reduce_prod") and v["where"] == "grad2", 8),
    (lambda ops, v, p: _has(ops, "elu") and v["where"] == "grad2", 9),
    (lambda ops, v, p: _has(ops, "cast") and v["kind"] == "none-ness", 10),
    (lambda ops, v, p: v["key"].startswith("error/raises (ok vs")
     and any(0 in i["shape"] for i in p["inputs"]), 11),
    (lambda ops, v, p: _has(ops, "argmax", "argmin", "logsumexp") and v["where"] != "error", 12),
    (lambda ops, v, p: _has(ops, "leaky_relu"), 16),
    (lambda ops, v, p: "InvalidArgumentError vs forward:TypeError" in v["key"]
     and _has(ops, "__", "silu", "add", "multiply", "subtract", "divide", "matmul"), 14),
    (lambda ops, v, p: "InvalidArgumentError vs forward:TypeError" in v["key"], 13),
    (lambda ops, v, p: "ok vs forward:TypeError" in v["key"] and "array" in json.dumps(p), 17),
    (lambda ops, v, p: v["key"].startswith("error/raises (forward:") and "vs ok)" in v["key"], 15),
]


def _int_inputs(prog) -> bool:
    return any(i["dtype"] in INTS for i in prog["inputs"])


def guess_open(prog, verdict) -> str:
    """The issue-20 item a new row most likely waits for (by its ops and its difference)."""
    ops = [op["fn"] for op in prog["ops"]]
    for test, item in _ITEMS:
        if test(ops, verdict, prog):
            return f"issue 20 item {item}"
    return "issue 20: a fuzzer class no item names yet"


def note_for(cls: str, ex: dict) -> str:
    return (f"{cls.split(' [')[0]}: TensorFlow gives {fp.outcome_text(ex['tf_outcome'])}; "
            f"adkernel {fp.outcome_text(ex['ak_outcome'])}")


def append_rows(classes: dict, per_kind: int) -> int:
    """Append the smallest example of the ``per_kind`` most frequent classes of each kind."""
    rows = load_rows()
    known = {json.dumps(r["program"], sort_keys=True) for r in rows}
    taken: Counter = Counter()
    added = 0
    for cls, entry in sorted(classes.items(), key=lambda kv: (-kv[1]["count"], kv[0])):
        ex = entry["example"]
        key = json.dumps(ex["program"], sort_keys=True)
        if key in known or taken[ex["verdict"]["key"]] >= per_kind:
            continue
        known.add(key)
        taken[ex["verdict"]["key"]] += 1
        rows.append({"program": ex["program"], "tf_outcome": ex["tf_outcome"],
                     **({"tf_reference": ex["tf_reference"]} if ex.get("tf_reference") else {}),
                     "note": note_for(cls, ex), "open": guess_open(ex["program"], ex["verdict"])})
        added += 1
    write_rows(rows)
    return added


def freeze(path: str) -> None:
    """Append the hand-written rows of the module at ``path`` (``PROGRAMS``) with TensorFlow's
    outcome; an ``open`` mark is dropped when adkernel already agrees."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("fuzz_seeds", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    tf, ak = _modules()
    rows = load_rows()
    known = {json.dumps(r["program"], sort_keys=True) for r in rows}
    for seed in module.PROGRAMS:
        if json.dumps(seed["program"], sort_keys=True) in known:
            continue
        tf_out, ak_out = fp.run(seed["program"], tf), fp.run(seed["program"], ak)
        verdict = fp.compare(tf_out, ak_out, seed["program"])
        new = {"program": seed["program"], "tf_outcome": tf_out, "note": seed["note"]}
        if seed.get("tf_is_wrong"):
            new.update(tf_is_wrong=seed["tf_is_wrong"], expected=ak_out)
        elif seed.get("open") and not verdict["equal"]:
            new["open"] = seed["open"]
        state = "agrees" if verdict["equal"] else verdict["key"]
        print(f"{state:70.70s} {seed['note']}")
        rows.append(new)
    write_rows(rows)


def refreeze() -> None:
    """Run every row's program on TensorFlow again and store its outcome (after a change of the
    interpreter or of TensorFlow); say which ``open`` rows adkernel now passes."""
    tf, ak = _modules()
    rows = load_rows()
    for row in rows:
        row["tf_outcome"] = fp.run(row["program"], tf)
        if "tf_reference" in row:
            row["tf_reference"] = fp.run(fp.promoted(row["program"]), tf)
        got = fp.run(row["program"], ak)
        if row.get("open") and fp.compare(row["tf_outcome"], got, row["program"])["equal"]:
            print(f"adkernel now agrees (remove open={row['open']!r}): {row['note'][:80]}")
    write_rows(rows)


def _references(row, ak) -> tuple:
    """(TensorFlow's frozen float64 outcome, adkernel's now) for a row or finding that has a
    ``tf_reference``; else (None, None)."""
    if not row.get("tf_reference"):
        return None, None
    return row["tf_reference"], fp.run(fp.promoted(row["program"]), ak)


def close_rows() -> None:
    """Drop ``open`` from every row adkernel now matches (no TensorFlow needed: the rows hold
    its frozen outcome), so the suite's strict xfails turn into plain checks."""
    from adkernel import tf as ak

    rows = load_rows()
    closed = 0
    for row in rows:
        if row.get("open") and fp.compare(row["tf_outcome"], fp.run(row["program"], ak),
                                          row["program"], *_references(row, ak))["equal"]:
            print(f"closed ({row.pop('open')}): {row['note'][:80]}")
            closed += 1
    write_rows(rows)
    print(f"{closed} row(s) closed, {sum(1 for r in rows if r.get('open'))} still open")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="programs to run")
    parser.add_argument("--seed", type=int, default=0, help="program i is the same for a seed")
    parser.add_argument("--start", type=int, default=0, help="first program number")
    parser.add_argument("--ops", default=None, help="fnmatch pattern of tf names, e.g. 'reduce_*'")
    parser.add_argument("--dtypes", default=None,
                        help="dtypes of the first input, e.g. float32,float64 (default: all four)")
    parser.add_argument("--jobs", type=int, default=1, choices=(1, 2), help="worker processes")
    parser.add_argument("--per-class", type=int, default=1,
                        help="shrink at most this many findings of one unshrunk class per worker")
    parser.add_argument("--out", default=None, help="write every finding here (JSON lines)")
    parser.add_argument("--write", action="store_true",
                        help="append one row per class (the most frequent of each kind of "
                        "difference) to tests/tf_fuzz_regressions.py")
    parser.add_argument("--write-per-kind", type=int, default=3,
                        help="with --write: at most this many classes per kind of difference")
    parser.add_argument("--load", nargs="+", metavar="FINDINGS.jsonl", default=None,
                        help="report (and --write) the findings of earlier --out files, "
                        "running nothing")
    parser.add_argument("--refreeze", action="store_true",
                        help="run every row of tests/tf_fuzz_regressions.py on TensorFlow again")
    parser.add_argument("--close", action="store_true",
                        help="drop `open` from the rows adkernel now matches (runs no TF)")
    parser.add_argument("--freeze", metavar="SEEDS.py", default=None,
                        help="append the hand-written programs of this module and stop")
    args = parser.parse_args(argv)
    if args.freeze:
        freeze(args.freeze)
        return 0
    if args.refreeze:
        refreeze()
        return 0
    if args.close:
        close_rows()
        return 0

    if args.load:
        findings = [json.loads(line) for path in args.load
                    for line in Path(path).read_text(encoding="utf-8").splitlines()]
        return report(recompare(findings), args)
    entries, skipped = catalog(args.ops)
    print(f"{len(entries)} functions and operators to fuzz; skipped {sum(skipped.values())}:")
    for reason, n in skipped.most_common():
        print(f"  {n:3d}  {reason}")
    stop = args.start + args.count
    dtypes = args.dtypes.split(",") if args.dtypes else None
    jobs = [(args.seed, args.start + j, stop, args.jobs, args.ops, args.per_class, dtypes)
            for j in range(args.jobs)]
    t0 = time.perf_counter()
    if args.jobs == 1:
        results = [work(jobs[0])]
    else:
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(args.jobs) as pool:
            results = pool.map(work, jobs)
    wall = time.perf_counter() - t0
    findings = [f for r in results for f in r["findings"]]
    count = sum(r["count"] for r in results)
    cpu = sum(r["seconds"] for r in results)
    shrinking = sum(r["shrink_seconds"] for r in results)
    per = 1000 / max(count, 1)
    print(f"\n{count} programs in {wall:.0f} s wall; per 1000 programs {per * cpu:.1f}"
          f" s of one core, of which shrinking {per * shrinking:.1f} s; "
          f"{len(findings)} found")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            for f in findings:
                fh.write(json.dumps(f) + "\n")
    return report(findings, args)


def recompare(findings: list[dict]) -> list[dict]:
    """``findings`` whose shrunk example still differs from TensorFlow's stored outcome, run on
    today's adkernel with today's comparator (and their unshrunk duplicates); the class is
    recomputed."""
    from adkernel import tf as ak

    kept, dropped = [], set()
    for f in findings:
        if f.get("skipped"):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f = {**f, "ak_outcome": fp.run(f["program"], ak)}
            verdict = fp.compare(f["tf_outcome"], f["ak_outcome"], f["program"],
                                 *_references(f, ak))
        if verdict["equal"]:
            dropped.add(tuple(f["raw"]))
            continue
        kept.append({**f, "verdict": verdict, "class": class_of(f["program"], verdict)})
    kept += [f for f in findings if f.get("skipped") and tuple(f["raw"]) not in dropped]
    if dropped:
        print(f"{len(dropped)} unshrunk class(es) no longer differ with today's comparator")
    return kept


def report(findings: list[dict], args) -> int:
    """Print the tables of ``findings``; with ``--write``, append the rows."""
    classes, known = split_documented(summarize(findings))
    documented = sum(e["count"] for e in known.values())
    print(f"\n{len(findings)} mismatching, of which {documented} documented")
    print_kinds(classes)
    print_table(classes)
    print_documented(known)
    if args.write:
        added = append_rows(classes, args.write_per_kind)
        print(f"\n{added} row(s) appended to {REGRESSIONS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
