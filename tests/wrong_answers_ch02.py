"""Wrong answers of chapter 02 (see tests/wrong_answers.py)."""

from wrong_answers import Wrong

from adkernel.exercises import ch02

D1 = ch02.q1.solution_code + "\n"
D2 = ch02.q2.solution_code + "\n"
_Y = "        y = x**3 - 2 * x\n"


def _d1(old: str, new: str) -> str:
    assert old in D1, old
    return D1.replace(old, new)


def _d2(old: str, new: str) -> str:
    assert old in D2, old
    return D2.replace(old, new)


TABLE = {
    "ch02.q1": [
        Wrong("swapped arguments", _d1("tape.gradient(y, x)", "tape.gradient(x, y)"),
              ("arguments of `tape.gradient` are swapped", "its first argument is x",
               "the target, what you differentiate (y)"),
              ("两个参数写反了", "第一个参数是目标"),
              never=("outside the `with` block", "is it a `tf.Variable`")),
        Wrong("y computed outside the with block", _d1(_Y, "        pass\n    y = x**3 - 2 * x\n"),
              ("the tape did not record the y you differentiate", "once the block ends"),
              ("梯度带没有记录你求导的那个 y",),
              never=("is it a `tf.Variable`", "swapped")),
        Wrong("a global y leaking in", _d1(_Y, "        z = x**3 - 2 * x\n"),
              ("made before the tape started recording", "a global y from an earlier cell"),
              ("在梯度带开始记录之前", "全局变量 y"),
              never=("swapped", "is it a `tf.Variable`"), before="y = tf.constant(4.0)"),
        Wrong("x a constant", _d1("tf.Variable(x0)", "tf.constant(x0)"),
              ("computed inside the `with` block, but from nothing the tape watches",
               "Is x a `tf.Variable`?"),
              ("用到的值都没有被梯度带监视", "`tf.Variable`"),
              never=("Compute y from x inside", "computed outside")),
        Wrong("returning y instead of the gradient", _d1("return tape.gradient(y, x)", "return y"),
              ("that is y itself", "gradient of y with respect to x"), ("y 本身",)),
        Wrong("missing -2x term", _d1(_Y, "        y = x**3\n"),
              ("3x² at every point", "−2x term of y is missing"), ("−2x",)),
        Wrong("wrong sign of 2x", _d1(_Y, "        y = x**3 + 2 * x\n"),
              ("3x² + 2", "sign of the 2x term is wrong"), ("3x² + 2", "符号错了")),
        Wrong("a constant returned", "def derivative_at(x0):\n    return 10.0\n",
              ("returns 10 for every x0", "use its argument x0"), ("x0",)),
        Wrong("ignoring x0", _d1("tf.Variable(x0)", "tf.Variable(2.0)"),
              ("returns 10 for every x0", "use its argument x0"), ("x0",),
              never=("swapped",)),
        Wrong("the derivative by hand, no tape",
              "def derivative_at(x0):\n    return 3 * x0**2 - 2\n",
              ("no `tape.gradient` call produced them",), ("不是由 `tape.gradient` 算出来的",)),
        Wrong("return forgotten", _d1("return tape.gradient(y, x)", "tape.gradient(y, x)"),
              ("`tape.gradient` gave a gradient", "forget `return`"), ("忘了写 `return`",),
              never=("outside the `with` block", "is it a `tf.Variable`")),
        Wrong("y from x0, not x", _d1(_Y, "        y = x0**3 - 2 * x0\n"),
              ("raised", "TypeError"), ("TypeError",)),
        Wrong("a string returned", _d1("return tape.gradient(y, x)", "return '10'"),
              ("should be a number", "the string '10'"), ("字符串 '10'",)),
        Wrong("not a function", "derivative_at = 10.0", ("not callable",), ("不可调用",)),
    ],
    "ch02.q2": [
        Wrong("a variable instead of watching", _d2("tf.constant(3.0)", "tf.Variable(3.0)")
              .replace("        tape.watch(x)\n", ""),
              ("only because x became a `tf.Variable`", "Keep `x = tf.constant(3.0)`"),
              ("`tf.Variable`",)),
        Wrong("watch after y", _d2("        tape.watch(x)\n        y = x ** 2\n",
                                   "        y = x ** 2\n        tape.watch(x)\n"),
              ("watch x before y is computed",), ("计算 y 之前",)),
        Wrong("no watch at all", _d2("        tape.watch(x)\n", "        pass\n"),
              ("still `None`", "watch x before y is computed"), ("`None`",)),
        Wrong("swapped arguments", _d2("tape.gradient(y, x)", "tape.gradient(x, y)"),
              ("arguments of `tape.gradient` are swapped", "its first argument is x"),
              ("两个参数写反了", "第一个参数是目标"),
              never=("must watch x before y",)),
        Wrong("y changed", _d2("y = x ** 2", "y = x ** 3"),
              ("The gradient is 27", "Did you change y?"), ("27",)),
        Wrong("a constant returned", _d2("return x, tape.gradient(y, x)", "return x, 6.0"),
              ("no `tape.gradient` call produced it",), ("不是由 `tape.gradient` 算出来的",)),
        Wrong("only the gradient returned",
              _d2("return x, tape.gradient(y, x)", "return tape.gradient(y, x)"),
              ("should return the pair `x, g`",), ("`x, g`",)),
        Wrong("watching y before it exists", _d2("tape.watch(x)", "tape.watch(y)"),
              ("raised", "UnboundLocalError"), ("UnboundLocalError",)),
        Wrong("not a function", "watched_gradient = 6.0", ("not callable",), ("不可调用",)),
    ],
}
