"""Wrong answers of chapter 07 (see tests/wrong_answers.py): ``grad_of(f, x0)``."""

from wrong_answers import Wrong


def _grad_of(inside: str, last: str = "return tape.gradient(y, x)", first: str = "") -> str:
    """The answer cell with the `with` block's lines and the last line given."""
    body = "".join(f"        {line}\n" for line in inside.split("\n"))
    return (
        "def grad_of(f, x0):\n"
        + (f"    {first}\n" if first else "    x = tf.constant(x0)\n")
        + "    with tf.GradientTape() as tape:\n"
        + body
        + f"    {last}\n"
    )


RIGHT = "tape.watch(x)\ny = f(x)"
EARLIER_Y = "y = tf.constant(5.0) * 2   # an earlier cell left a y behind"
# what the learner already did in these rows: "watch x" is not the next step for them
WATCH_ADVICE = ("not watching x", "did not watch", "没有监视")

TABLE = {
    "ch07.q1": [
        # issue 17: tape.watch(x), then tape.gradient(y, x) with y a global from an earlier cell
        Wrong("a global y, f never called", _grad_of("tape.watch(x)"),
              ("never calls f", "not computed inside the `with` block", "global"),
              ("从没调用 f", "全局变量"),
              never=WATCH_ADVICE, before=EARLIER_Y),
        Wrong("f called, its result dropped", _grad_of("tape.watch(x)\nf(x)"),
              ("not the result of the f(x)", "another y", "global"),
              ("不是你的函数算出的 f(x) 的结果", "另一个 y"),
              never=WATCH_ADVICE, before=EARLIER_Y),
        Wrong("tape.gradient arguments swapped", _grad_of(RIGHT, "return tape.gradient(x, y)"),
              ("arguments of `tape.gradient` are swapped", "The first argument is the target"),
              ("两个参数写反了", "第一个参数是目标"),
              never=WATCH_ADVICE),
        Wrong("f called on the number x0", _grad_of("tape.watch(x)\ny = f(x0)"),
              ("plain number x0", "Call f on the tensor x"),
              ("普通数字 x0", "请对张量 x 调用 f"),
              never=WATCH_ADVICE),
        Wrong("y computed after the with block",
              _grad_of("tape.watch(x)", "y = f(x)\n    return tape.gradient(y, x)"),
              ("after the `with` block had ended",), ("在 `with` 块结束之后",),
              never=WATCH_ADVICE),
        Wrong("watch after f(x)", _grad_of("y = f(x)\ntape.watch(x)"),
              ("not watching x", "called before f(x)"), ("没有监视 x", "要在 f(x) 之前"),
              never=("never calls f", "从没调用 f")),
        Wrong("tape.watch forgotten", _grad_of("y = f(x)"),
              ("not watching x", "`tape.watch(x)`"), ("没有监视 x", "`tape.watch(x)`")),
        Wrong("the gradient not returned",
              _grad_of(RIGHT, "g = tape.gradient(y, x)"),
              ("does not return it", "End it with `return`"), ("没有返回它",),
              never=(*WATCH_ADVICE, "no path", "没有路径")),
        Wrong("f(x0) returned, not its derivative", _grad_of(RIGHT, "return y"),
              ("f(x0) itself", "not its derivative"), ("f(x0) 本身", "不是它的导数"),
              never=("numerical differentiation",)),
        Wrong("a minus sign", _grad_of(RIGHT, "return -tape.gradient(y, x)"),
              ("wrong sign", "without a minus sign"), ("符号都反了", "不要加负号")),
        Wrong("numerical differentiation",
              "def grad_of(f, x0):\n    return (f(x0 + 1e-4) - f(x0 - 1e-4)) / 2e-4",
              ("numerical differentiation", "no `tape.gradient` call"), ("数值微分",)),
        Wrong("a variable at a fixed point", _grad_of("y = f(x)", first="x = tf.Variable(1.5)"),
              ("x · sin x", "x0 = 0.7", "not df/dx"), ("x · sin x", "x0 = 0.7", "df/dx")),
        Wrong("the number x0 as the source", _grad_of(RIGHT, "return tape.gradient(y, x0)"),
              ("`tape.gradient` is not a tensor", "the tensor x, not the number x0"),
              ("不是张量", "张量 x"),
              never=("tape.watch",)),
        Wrong("tape.gradient without its source", _grad_of(RIGHT, "return tape.gradient(y)"),
              ("raised", "TypeError", "tape.gradient(y)"), ("抛出了", "TypeError")),
        Wrong("a string returned", _grad_of(RIGHT, "return str(tape.gradient(y, x))"),
              ("should be a number", "string"), ("应该是一个数", "字符串")),
        Wrong("a variable made from x0 (right)", _grad_of("y = f(x)", first="x = tf.Variable(x0)"),
              ("Exact derivatives",), ("精确的导数",), state="correct"),
    ],
}
