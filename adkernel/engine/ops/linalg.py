"""Matrix products."""

from __future__ import annotations

import numpy as np

from ..errors import InvalidArgumentError, invalid_argument
from ..i18n import _, lazy
from ..registry import (
    _packed,
    apply,
    bool_error,
    composite,
    defop,
    float_check,
    one,
    refuse,
    unify,
)
from ..tensor import TensorLike, convert_to_tensor, operand
from .math import refuse_python_floats


def _t(a):
    """Swap the last two axes (a matrix transpose, batched)."""
    return np.swapaxes(a, -1, -2)


@defop("matmul", uses=(0, 1), tf=("matmul", "linalg.matmul"), numpy=np.matmul,
       operators=("__matmul__",), local=(lazy("upstream @ {1}ᵀ"),
                                                      lazy("{0}ᵀ @ upstream")))
def matmul(a, b):
    """a @ b (batched over leading axes)"""
    return np.matmul(a, b)


@matmul.defvjp
def matmul_vjp(g, out, need, a, b):
    """d(a@b)/da = g @ b^T, d(a@b)/db = a^T @ g"""
    ga = g @ _t(b) if need[0] else None
    gb = _t(a) @ g if need[1] else None
    return ga, gb


def _swap_last(t):
    perm = list(range(t.ndim))
    perm[-1], perm[-2] = perm[-2], perm[-1]
    return np.transpose(t, perm)


@matmul.api
def matmul_api(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
               a_is_sparse=False, b_is_sparse=False, output_type=None, grad_a=False,
               grad_b=False, name=None):
    """Matrix product ``a @ b`` of rank >= 2 tensors (batched over leading axes).

    ``adjoint_a``/``adjoint_b`` equal ``transpose_a``/``transpose_b`` for real tensors; the
    ``*_is_sparse`` and ``grad_*`` hints change nothing in the result, as in TensorFlow.
    """
    refuse_python_floats("MatMul", a, b)
    # TensorFlow converts a on its own (b then with a's dtype as a hint): a list keeps its
    # own dtype (an int64 (mean, variance) @ a float64 tensor is refused, not cast)
    if type(a) in (list, tuple):
        a = convert_to_tensor(a)
    args, vals = unify("MatMul", (a, b))
    if vals[0].dtype.kind == "b":
        raise bool_error("MatMul")
    refuse("tf.matmul", output_type=output_type is not None,
           adjoint_a=bool(adjoint_a) and np.result_type(vals[0]).kind == "c",
           adjoint_b=bool(adjoint_b) and np.result_type(vals[1]).kind == "c")
    for side, v in zip("ab", vals, strict=True):
        if np.ndim(v) < 2:
            raise InvalidArgumentError(
                _("matmul needs rank >= 2 tensors, but {side} has shape {shape}. Try "
                  "tf.reshape(v, (-1, 1)) for a column or tf.expand_dims(v, 0) for a row.").format(
                    side=side, shape=tuple(np.shape(v))),
                op="MatMul",
            )
    if transpose_a or transpose_b or adjoint_a or adjoint_b:
        a2 = args[0] if args[0] is not None else convert_to_tensor(vals[0])
        b2 = args[1] if args[1] is not None else convert_to_tensor(vals[1])
        return matmul_api(_swap_last(a2) if transpose_a or adjoint_a else a2,
                          _swap_last(b2) if transpose_b or adjoint_b else b2)
    va, vb = vals
    if np.shape(va)[-1] != np.shape(vb)[-2]:
        raise InvalidArgumentError(
            _("Matrix size-incompatible: In[0]: {shape}, In[1]: {shape2}. The inner dimensions "
              "must agree.").format(
                shape=list(np.shape(va)), shape2=list(np.shape(vb))),
            op="MatMul",
        )
    return apply(matmul, args, vals)


@composite(operators=("__rmatmul__",))
def _rmatmul(a, b):
    """``a @ b`` with ``a`` not a tensor: TensorFlow converts ``a`` to ``b``'s dtype first (so
    ``[[1.5]] @ int_tensor`` raises TypeError)."""
    if isinstance(b, TensorLike):
        # a list or tuple holding tensors (nn.moments' pair) is packed on the tape, as
        # TensorFlow converts it, so the gradient reaches its parts
        a = _packed(a, b)
        if not isinstance(a, TensorLike):
            a = convert_to_tensor(operand(a, b._value.dtype))
    return matmul_api(a, b)


def _tensordot_axes(axes, rank_a: int, rank_b: int) -> tuple[list, list]:
    """The contracted axes of ``a`` and of ``b`` (TensorFlow's ``axes`` argument)."""
    if isinstance(axes, TensorLike):
        axes = axes.numpy()
    if isinstance(axes, np.ndarray):
        axes = axes.tolist()
    if isinstance(axes, int | np.integer):
        n = int(axes)
        if n < 0:
            raise ValueError(_(
                "tensordot: `axes` must be at least 0 (the number of axes to sum over), got "
                "{axes}.").format(axes=n))
        if n > min(rank_a, rank_b):  # (TensorFlow's error is an IndexError here)
            raise IndexError(_(
                "tensordot: axes={n} contracts the last {n} axes of a (rank {ra}) with the first "
                "{n} of b (rank {rb}); it can be at most the smaller rank.").format(
                    n=n, ra=rank_a, rb=rank_b))
        return list(range(rank_a - n, rank_a)), list(range(n))
    if not isinstance(axes, list | tuple) or len(axes) != 2:
        raise ValueError(_(
            "tensordot: `axes` must be an integer N or a pair of axis lists such as "
            "[[1], [0]], got {axes}.").format(axes=axes))
    pair = [[int(v)] if isinstance(v, int | np.integer) else [int(i) for i in v] for v in axes]
    if len(pair[0]) != len(pair[1]):
        raise ValueError(_(
            "tensordot: a and b need the same number of contracted axes, got {n} and {m}."
            ).format(
                n=len(pair[0]), m=len(pair[1])))
    for ax, rank in zip(pair, (rank_a, rank_b), strict=True):
        if any(not -rank <= i < rank for i in ax):
            raise invalid_argument(_(
                "tensordot: axes {axes} do not exist in a tensor of rank {rank}").format(
                    axes=ax, rank=rank), op="tensordot", index=True)
    return [i % rank_a for i in pair[0]], [i % rank_b for i in pair[1]]


@composite("tensordot", "linalg.tensordot")
def tensordot(a, b, axes, name=None):
    """Sum of products over ``axes`` (an int N: the last N axes of ``a`` with the first N of
    ``b``; or a pair of axis lists), as a matmul of reshaped tensors (composite)."""
    # TensorFlow converts a and b each on its own, checks ``axes``, then its MatMul compares
    # the dtypes: ``tensordot(x_float32, [1, 2], 1)`` is refused (the list becomes int32)
    a, b = (t if isinstance(t, TensorLike) else convert_to_tensor(t) for t in (a, b))
    sa, sb = a.shape, b.shape
    ax_a, ax_b = _tensordot_axes(axes, len(sa), len(sb))
    unify("MatMul", (a, b))
    if [sa[i] for i in ax_a] != [sb[i] for i in ax_b]:
        raise InvalidArgumentError(_(
            "tensordot: the contracted axes must have the same sizes, but a has {n} on axes "
            "{axes_a} and b has {m} on axes {axes_b}.").format(
                n=[sa[i] for i in ax_a], axes_a=ax_a, m=[sb[i] for i in ax_b], axes_b=ax_b),
            op="MatMul")
    free_a = [i for i in range(len(sa)) if i not in ax_a]
    free_b = [i for i in range(len(sb)) if i not in ax_b]
    size = lambda dims: int(np.prod(dims, dtype=np.int64))  # noqa: E731
    a2 = np.reshape(np.transpose(a, free_a + ax_a),
                    (size([sa[i] for i in free_a]), size([sa[i] for i in ax_a])))
    b2 = np.reshape(np.transpose(b, ax_b + free_b),
                    (size([sb[i] for i in ax_b]), size([sb[i] for i in free_b])))
    out = matmul_api(a2, b2)
    return np.reshape(out, [sa[i] for i in free_a] + [sb[i] for i in free_b])


@composite(numpy=np.tensordot)
def _numpy_tensordot(a, b, axes=2):
    """``np.tensordot`` on tensors (numpy's default: two axes)."""
    return tensordot(a, b, axes)


def _einsum_parts(equation: str, n: int):
    eq = equation.replace(" ", "")
    if "." in eq:
        raise ValueError(_("einsum with '...' is not supported; write the axes out explicitly"))
    if "->" in eq:
        ins, out = eq.split("->")
    else:
        ins = eq
        letters = ins.replace(",", "")
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    subs = ins.split(",")
    if len(subs) != n:
        raise ValueError(_("einsum equation {equation!r} names {n} operands, got {n2}").format(
                             equation=equation, n=len(subs), n2=n))
    return subs, out


@defop("einsum", tf=("einsum", "linalg.einsum"))
def einsum(*xs, equation):
    """Einstein summation, e.g. 'ij,jk->ik'"""
    if len(xs) == 1 and "." not in equation:
        return _einsum_one(xs[0], equation)
    return np.einsum(equation, *xs)


def _einsum_one(x, equation):
    """One operand, as TensorFlow's kernel: the axes summed away that hold one element are
    reshaped away, not summed, and the rest is a transpose, so -0.0 stays -0.0 (numpy's einsum
    adds to +0.0). Repeated labels (a diagonal) and real sums go to numpy."""
    (sub,), out = _einsum_parts(equation, 1)
    x = np.asarray(x)
    if len(set(sub)) != len(sub) or len(sub) != x.ndim or not set(out) <= set(sub):
        return np.einsum(equation, x)
    gone = [k for k, c in enumerate(sub) if c not in out]
    if any(x.shape[k] != 1 for k in gone):
        return np.einsum(equation, x)
    kept = "".join(c for c in sub if c in out)
    v = np.reshape(x, [d for k, d in enumerate(x.shape) if k not in gone])
    return np.transpose(v, [kept.index(c) for c in out])


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
                _("einsum gradient for repeated indices in {sub!r} (a trace or diagonal) is not"
                  " supported").format(
                    sub=sub)
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


@einsum.api
def einsum_api(equation, *inputs, optimize="greedy", name=None, **kwargs):
    """Einstein summation over tensors, e.g. ``tf.einsum('ij,jk->ik', a, b)``.

    ``optimize`` (a contraction-order hint) does not change the result.
    """
    if kwargs:
        raise TypeError(_("einsum got unexpected keyword arguments {value}").format(
                            value=sorted(kwargs)))
    args, vals = unify("Einsum", inputs)
    try:
        np.einsum(equation, *[np.empty(np.shape(v), np.bool_) for v in vals])
    except ValueError as e:
        raise InvalidArgumentError(_("einsum {equation!r}: {e}").format(
                                       equation=equation, e=e), op="Einsum") from None
    return apply(einsum, args, vals, {"equation": equation})


@defop("solve", uses=(0, "out"), tf=("linalg.solve",))
def solve(a, b):
    """x with a @ x = b (a singular matrix, or one holding NaN, raises: TensorFlow)"""
    if not _invertible(a):
        raise np.linalg.LinAlgError("Singular matrix")
    if not np.isfinite(a).all():
        return _lu_solve_plain(a, b)
    try:
        return np.linalg.solve(a, b)
    except np.linalg.LinAlgError:  # LAPACK met an exact 0 pivot that TensorFlow's LU did not
        return _lu_solve_plain(a, b)


@solve.defvjp
def solve_vjp(g, out, need, a, b):
    """gb = solve(a^T, g), ga = -gb @ x^T"""
    gb = np.linalg.solve(_t(a), g)
    ga = -(gb @ _t(out)) if need[0] else None
    return ga, (gb if need[1] else None)


@solve.api
def solve_api(matrix, rhs, adjoint=False, name=None):
    """Solve ``matrix @ x = rhs`` for x (``tf.linalg.solve``)."""
    if adjoint:
        matrix = _swap_last(matrix if isinstance(matrix, TensorLike) else convert_to_tensor(matrix))
    args, vals = unify("MatrixSolve", (matrix, rhs))
    a, b = vals
    float_check("linalg.solve", a)
    if np.ndim(a) < 2 or np.shape(a)[-1] != np.shape(a)[-2] or np.ndim(b) < 2:
        raise InvalidArgumentError(
            _("solve needs a square matrix and a matrix right-hand side, got shapes {shape} and"
              " {shape2}").format(
                shape=tuple(np.shape(a)), shape2=tuple(np.shape(b))),
            op="MatrixSolve",
        )
    if np.ndim(a) != np.ndim(b) or np.shape(a)[:-2] != np.shape(b)[:-2]:
        raise InvalidArgumentError(  # TensorFlow's MatrixSolve does not broadcast batches
            _("solve: the matrix (shape {shape}) and the right-hand side (shape {shape2}) must "
              "have the same rank and the same batch dimensions; tf.linalg.solve does not "
              "broadcast them. Repeat the smaller one first, e.g. with tf.broadcast_to.").format(
                shape=tuple(np.shape(a)), shape2=tuple(np.shape(b))),
            op="MatrixSolve",
        )
    return apply(solve, args, vals)


# ----- inverse and determinant (issue 10) -------------------------------------------------


def _square_check(v, opname, tfop):
    if np.ndim(v) < 2 or np.shape(v)[-1] != np.shape(v)[-2]:
        raise InvalidArgumentError(
            _("{op} needs square matrices (shape [..., n, n]), got shape {shape}.").format(
                op=opname, shape=list(np.shape(v))), op=tfop)


def _pivot(col) -> int:
    """Where partial pivoting's search over ``col`` (absolute values) stops: the first largest
    entry, compared one at a time as in TensorFlow's kernels, so a NaN met first wins and a
    NaN met later is passed over."""
    best = 0
    for i in range(1, col.size):
        if col[i] > col[best]:
            best = i
    return best


def _invertible(a) -> bool:
    """TensorFlow's test before inverting or solving: an LU factorisation with partial
    pivoting whose smallest |pivot| must be > 0. Comparisons are one at a time, as in its
    kernel, so a NaN met first wins the pivot search and the minimum (the matrix is refused),
    while a NaN met later is passed over (the result is NaN)."""
    mats = np.array(a, copy=True).reshape((-1, *np.shape(a)[-2:]))
    for m in mats:
        pivots = []
        for k in range(m.shape[0]):
            col = np.abs(m[k:, k])
            best = _pivot(col)
            m[[k, k + best]] = m[[k + best, k]]
            pivots.append(abs(m[k, k]))
            if m[k, k] != 0:
                with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
                    m[k + 1:, k] /= m[k, k]
                    m[k + 1:, k + 1:] -= np.outer(m[k + 1:, k], m[k, k + 1:])
        low = pivots[0] if pivots else 1.0
        for p in pivots[1:]:
            if p < low:
                low = p
        if not low > 0:
            return False
    return True


def _lu_solve_plain(a, b):
    """``a @ x = b`` by LU with partial pivoting and plain substitution, one matrix at a time:
    TensorFlow's way for a matrix holding inf or NaN. Unlike LAPACK, which skips zero
    multipliers, every product is formed, so 0 * inf makes NaN spread as in TensorFlow."""
    a = np.asarray(a)
    b = np.asarray(b)
    shape = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    mats = np.broadcast_to(a, (*shape, *a.shape[-2:])).reshape((-1, *a.shape[-2:]))
    rhss = np.broadcast_to(b, (*shape, *b.shape[-2:])).reshape((-1, *b.shape[-2:]))
    out = np.empty(rhss.shape, np.result_type(a, b))
    with np.errstate(all="ignore"):
        for j, (m0, r0) in enumerate(zip(mats, rhss, strict=True)):
            m, r = m0.copy(), r0.astype(out.dtype)
            n = m.shape[0]
            for k in range(n):
                col = np.abs(m[k:, k])
                best = _pivot(col)
                m[[k, k + best]] = m[[k + best, k]]
                r[[k, k + best]] = r[[k + best, k]]
                m[k + 1:, k] /= m[k, k]
                m[k + 1:, k + 1:] -= np.outer(m[k + 1:, k], m[k, k + 1:])
            for i in range(n):
                r[i] -= m[i, :i] @ r[:i]
            for i in reversed(range(n)):
                r[i] = (r[i] - m[i, i + 1:] @ r[i + 1:]) / m[i, i]
            out[j] = r
    return out.reshape((*shape, *b.shape[-2:]))


def _inv_any(a):
    if isinstance(a, np.ndarray | np.generic):
        return inv.forward(a)  # TensorFlow's LU where the matrix holds inf or NaN
    return inv(a)


@defop("inv", uses=("out",), tf=("linalg.inv",), local=(lazy("-inv({0})ᵀ @ upstream @ inv({0})ᵀ"),))
def inv(a):
    """the matrix inverse of a (batched over leading axes)"""
    if not np.isfinite(a).all():
        return _lu_solve_plain(a, np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape))
    try:
        return np.linalg.inv(a)
    except np.linalg.LinAlgError:  # LAPACK met an exact 0 pivot that TensorFlow's LU did not:
        # TensorFlow's numbers (rounding noise of a numerically singular matrix)
        return _lu_solve_plain(a, np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape))


@inv.defvjp
def inv_vjp(g, out, need, a):
    """d inv(a) = -inv(a) da inv(a), so ga = -inv(a)^T @ g @ inv(a)^T"""
    t = _t(out)
    return (-(t @ g @ t),)


@inv.api
def inv_api(input, adjoint=False, name=None):
    """The inverse of each square matrix in ``input``; a singular matrix raises."""
    x = input if isinstance(input, TensorLike) else convert_to_tensor(input)
    v = x._value
    float_check("linalg.inv", v)
    _square_check(v, "linalg.inv", "MatrixInverse")
    if adjoint and np.result_type(v).kind == "c":
        refuse("tf.linalg.inv", adjoint=True)
    if adjoint:
        x = _swap_last(x)
        v = x._value
    if not _invertible(v):
        raise InvalidArgumentError(
            _("linalg.inv: the matrix is not invertible (shape {shape}).").format(
                shape=list(np.shape(v))),
            op="MatrixInverse")
    return apply(inv, (x,), (v,))


@defop("det", uses=(0, "out"), tf=("linalg.det",), local=("det({0})·inv({0})ᵀ",))
def det(a):
    """the determinant of a (batched over leading axes); NaN for a matrix holding NaN"""
    finite = np.isfinite(a).all(axis=(-2, -1))
    if not finite.all():  # TensorFlow's LU for the matrices holding inf or NaN
        with np.errstate(invalid="ignore"):
            d = np.asarray(np.linalg.det(np.where(finite[..., None, None], a, 0)))
        return np.where(finite, d, _det_plain(a))[()]
    with np.errstate(invalid="ignore"):
        d = np.linalg.det(a)
    # LAPACK's pivot search can step over a NaN entry and report a finite determinant
    return np.where(np.isnan(a).any(axis=(-2, -1)), np.nan, d)[()]


def _det_plain(a):
    """TensorFlow's determinant of a matrix holding inf or NaN: the product of the pivots of
    its own LU with partial pivoting (every product formed, as in ``_lu_solve_plain``, so an
    inf pivot met before another inf makes inf / inf = NaN), times the permutation's sign."""
    a = np.asarray(a)
    mats = a.reshape((-1, *a.shape[-2:]))
    out = np.empty(len(mats), a.dtype)
    with np.errstate(all="ignore"):
        for j, m0 in enumerate(mats):
            m, sign = m0.copy(), 1.0
            n = m.shape[0]
            for k in range(n):
                col = np.abs(m[k:, k])
                best = _pivot(col)
                if col[best] != 0:  # Eigen swaps and divides only for a nonzero pivot
                    if best:
                        m[[k, k + best]] = m[[k + best, k]]
                        sign = -sign
                    m[k + 1:, k] /= m[k, k]
                m[k + 1:, k + 1:] -= np.outer(m[k + 1:, k], m[k, k + 1:])
            out[j] = sign * np.prod(np.diagonal(m))
    return out.reshape(a.shape[:-2])[()]


@det.defvjp
def det_vjp(g, out, need, a):
    """d det(a)/da = det(a) inv(a)^T; like TensorFlow, a singular (or NaN) matrix raises"""
    scale = np.expand_dims(np.expand_dims(g * out, -1), -1)
    # also in a recorded pass (under an outer tape): TensorFlow raises while taking the
    # first derivative, not later
    # TensorFlow's MatrixInverse(adjoint=True) factorises the transpose: its pivot test runs
    # on a^T (a NaN row of a is a NaN column there, met after a finite pivot)
    _invertible_check(np.swapaxes(a if isinstance(a, np.ndarray | np.generic) else a._value,
                                  -1, -2))
    return (scale * _inv_any(_t(a)),)  # inv(a^T), as TensorFlow (matrix_inverse(adjoint=True))


def _invertible_check(a):
    """TensorFlow's gradient of det inverts the matrix and raises when it cannot (``a`` is
    the matrix its kernel factorises: the transpose of det's input)."""
    if not _invertible(a):
        raise InvalidArgumentError(
            _("the gradient of linalg.det needs invertible matrices, but a matrix of shape "
              "{shape} is singular or holds NaN (TensorFlow raises here too). Check the "
              "matrix: its rows must be independent and its entries numbers.").format(
                shape=list(np.shape(a))),
            op="MatrixInverse")


@det.api
def det_api(input, name=None):
    """The determinant of each square matrix in ``input``."""
    x = input if isinstance(input, TensorLike) else convert_to_tensor(input)
    float_check("linalg.det", x._value)
    _square_check(x._value, "linalg.det", "MatrixDeterminant")
    return apply(det, (x,), (x._value,))


_ALIGNS = ("LEFT_RIGHT", "RIGHT_LEFT", "LEFT_LEFT", "RIGHT_RIGHT")


@defop("diag_part", uses=(), tf=("linalg.diag_part",),
       local=(lazy("1 on the diagonal, 0 elsewhere"),))
def diag_part(x):
    """the main diagonal of each matrix in x (its last two axes)"""
    return np.diagonal(x, axis1=-2, axis2=-1).copy()


@diag_part.defvjp
def diag_part_vjp(g, out, need, x):
    """the upstream gradient put on the diagonal of a zero matrix of x's shape"""
    m, n = np.shape(x)[-2:]
    if isinstance(g, np.ndarray | np.generic):  # exact placement: an inf stays on its square
        grad = np.zeros(np.shape(x), np.result_type(g))
        np.einsum("...ii->...i", grad[..., :min(m, n), :min(m, n)])[...] = g
        return (grad,)
    eye = np.eye(m, n, dtype=np.result_type(g))  # (on tensors: a higher derivative)
    return (eye * (g[..., None, :] if m >= n else g[..., :, None]),)


@diag_part.api
def diag_part_api(input, name="diag_part", k=0, padding_value=0, align="RIGHT_LEFT"):
    """The main diagonal of a matrix, or of each matrix in a batch (the last two axes).
    adkernel takes only ``k=0``; ``padding_value`` and ``align`` then change nothing."""
    x, v = one(input)
    kv = k.numpy() if isinstance(k, TensorLike) else np.asarray(k)
    if kv.dtype.kind == "f":
        raise TypeError(_("diag_part: k must be an integer (or a pair of integers), got "
                          "{k!r}.").format(k=k))
    refuse("tf.linalg.diag_part", k=bool(np.any(kv != 0)))
    if align not in _ALIGNS:
        raise InvalidArgumentError(
            _("diag_part: align must be one of {aligns}, got {align!r}.").format(
                aligns=", ".join(_ALIGNS), align=align), op="MatrixDiagPartV3")
    if v.ndim < 2:
        raise InvalidArgumentError(
            _("diag_part: the input must be a matrix or a batch of matrices (at least 2 "
              "axes), got shape {shape}.").format(shape=list(v.shape)), op="MatrixDiagPartV3")
    return apply(diag_part, (x,), (v,))
