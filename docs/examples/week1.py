"""A teacher's own exercise, auto-checked like the course's (see docs/teaching.md).

A notebook next to this file says::

    from adkernel import tf
    from adkernel.exercises import ____
    import week1 as ex

    def slope_at(x0):          # the answer cell (tag it "exercise")
        ...

    ex.q1.check()

and a class's notebooks are graded with ``python -m adkernel grade --exercises week1.py``.
"""

from adkernel.exercises import Problem, ____, message  # noqa: F401 (notebooks use ____)
from adkernel.exercises.judging import close, failed, is_kind, number, returned, right, wrong

POINTS = (0.0, 1.0, -2.5)  # where the check calls the learner's function


def gather(ctx, slope_at):
    """In the learner's kernel: call their function and write down what happened."""
    if not callable(slope_at):
        return {"callable": False, "answer": ctx.value(slope_at)}
    calls = []
    for x0 in POINTS:
        calls.append(ctx.call(slope_at, x0))
        if failed(calls[-1]):
            break
    return {"callable": True, "calls": calls}


def judge(data):
    """Anywhere (the grader's own process): the verdict, from that plain data alone."""
    if not data["callable"]:
        raise wrong(message(
            en="`slope_at` should be a function of x0, but it is not callable.",
            zh="`slope_at` 应该是一个以 x0 为参数的函数，但它不能被调用。",
        ))
    found = []
    for x0, call in zip(POINTS, data["calls"], strict=False):
        value = returned(call)  # the learner's code raised: says so, with their line
        if is_kind(value, "none"):
            raise wrong(message(
                en="`slope_at({x0})` returned `None`: return what `tape.gradient` gives.",
                zh="`slope_at({x0})` 返回了 `None`：请返回 `tape.gradient` 给出的结果。",
            ), x0=x0)
        found.append(number(value, f"slope_at({x0})"))
    if all(close(a, 2 * x + 1) for a, x in zip(found, POINTS, strict=False)):
        return right(message(en="f'(x) = 2x + 1 at every point.",
                             zh="每个点上都是 f'(x) = 2x + 1。"))
    if all(close(a, x * x + x) for a, x in zip(found, POINTS, strict=False)):
        raise wrong(message(
            en="You return f(x) itself. Ask the tape for the gradient of f with respect to x.",
            zh="你返回的是 f(x) 本身。请向梯度带要 f 对 x 的梯度。",
        ))
    if all(close(a, 2 * x) for a, x in zip(found, POINTS, strict=False)):
        raise wrong(message(
            en="You return 2x: the derivative of the + x term is missing.",
            zh="你返回的是 2x：漏掉了 + x 这一项的导数。",
        ))
    raise wrong(message(
        en="At x0 = {x0} you return {a:.6g}; the slope of f(x) = x² + x there is {b:.6g}.",
        zh="在 x0 = {x0} 处你返回了 {a:.6g}；f(x) = x² + x 在那里的斜率是 {b:.6g}。",
    ), x0=POINTS[0], a=found[0], b=2 * POINTS[0] + 1)


q1 = Problem(
    "week1",
    1,
    names=["slope_at"],
    gather=gather,
    judge=judge,
    hints=[
        message(en="Make x a `tf.Variable(x0)` and compute f inside a gradient tape.",
                zh="把 x 设为 `tf.Variable(x0)`，并在梯度带内计算 f。"),
        message(en="After the `with` block, the tape gives the derivative of its target "
                   "with respect to a source.",
                zh="`with` 块结束后，梯度带给出目标对源的导数。"),
    ],
    starter="""
def slope_at(x0):
    x = tf.Variable(x0)
    with tf.GradientTape() as tape:
        f = ____
    return ____
""",
    solution="""
def slope_at(x0):
    x = tf.Variable(x0)
    with tf.GradientTape() as tape:
        f = x**2 + x
    return tape.gradient(f, x)
""",
    explanation=message(en="f'(x) = 2x + 1: the tape applies the sum and power rules.",
                        zh="f'(x) = 2x + 1：梯度带用的是和的求导法则与幂的求导法则。"),
)
