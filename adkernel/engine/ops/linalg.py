"""Matrix products."""

from __future__ import annotations

import numpy as np

from ..registry import defop


def _t(a):
    """Swap the last two axes (a matrix transpose, batched)."""
    return np.swapaxes(a, -1, -2)


@defop("matmul", uses=(0, 1))
def matmul(a, b):
    """a @ b (batched over leading axes)"""
    return np.matmul(a, b)


@matmul.defvjp
def matmul_vjp(g, out, need, a, b):
    """d(a@b)/da = g @ b^T, d(a@b)/db = a^T @ g"""
    ga = g @ _t(b) if need[0] else None
    gb = _t(a) @ g if need[1] else None
    return ga, gb


def _einsum_parts(equation: str, n: int):
    eq = equation.replace(" ", "")
    if "." in eq:
        raise ValueError("einsum with '...' is not supported; write the axes out explicitly")
    if "->" in eq:
        ins, out = eq.split("->")
    else:
        ins = eq
        letters = ins.replace(",", "")
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    subs = ins.split(",")
    if len(subs) != n:
        raise ValueError(f"einsum equation {equation!r} names {len(subs)} operands, got {n}")
    return subs, out


@defop("einsum")
def einsum(*xs, equation):
    """Einstein summation, e.g. 'ij,jk->ik'"""
    return np.einsum(equation, *xs)


@einsum.defvjp
def einsum_vjp(g, out, need, *xs, equation):
    """each operand's gradient is an einsum of the upstream gradient with the others"""
    subs, out_sub = _einsum_parts(equation, len(xs))
    grads = []
    for i, x in enumerate(xs):
        if not need[i]:
            grads.append(None)
            continue
        sub = subs[i]
        if len(set(sub)) != len(sub):
            raise NotImplementedError(
                f"einsum gradient for repeated indices in {sub!r} (a trace or diagonal) "
                "is not supported"
            )
        others = [s for j, s in enumerate(subs) if j != i]
        available = set(out_sub).union(*others) if others else set(out_sub)
        kept = "".join(c for c in sub if c in available)
        spec = ",".join([out_sub, *others]) + "->" + kept
        gi = np.einsum(spec, g, *[x_ for j, x_ in enumerate(xs) if j != i])
        if kept != sub:
            # Axes summed inside operand i alone: its gradient is constant along them.
            expanded = [np.shape(x)[k] if c in kept else 1 for k, c in enumerate(sub)]
            gi = np.broadcast_to(np.reshape(gi, expanded), np.shape(x))
        grads.append(gi)
    return tuple(grads)


@defop("solve", uses=(0, "out"))
def solve(a, b):
    """x with a @ x = b"""
    return np.linalg.solve(a, b)


@solve.defvjp
def solve_vjp(g, out, need, a, b):
    """gb = solve(a^T, g), ga = -gb @ x^T"""
    gb = np.linalg.solve(_t(a), g)
    ga = -(gb @ _t(out)) if need[0] else None
    return ga, (gb if need[1] else None)
