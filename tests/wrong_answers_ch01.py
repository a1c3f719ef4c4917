"""Wrong answers of chapter 01 (see tests/wrong_answers.py)."""

from wrong_answers import Wrong


def _cd(body: str, params: str = "f, x, h") -> str:
    return f"def central_diff({params}):\n    return {body}\n"


_RIGHT = "(f(x + h) - f(x - h)) / (2 * h)"


def _modes(mode, fp, rp) -> str:
    return f"mode = {mode!r}\nforward_passes = {fp!r}\nreverse_passes = {rp!r}\n"


def _jvp(body: str) -> str:
    return "def jvp(f, x, v):\n" + "".join(f"    {line}\n" for line in body.splitlines())


_ACC = "with tf.autodiff.ForwardAccumulator(primals=x, tangents=v) as acc:\n    y = f(x)\n"
_TAPE = "with tf.GradientTape() as t:\n    t.watch(x)\n    y = f(x)\n"


_DIGITS_LOST = ("which is not", "不等于")  # the formula is right: never "not the formula"

TABLE = {
    "ch01.q1": [
        Wrong("a float32 tensor of the right formula", _cd(f"tf.constant({_RIGHT})"),
              ("Your formula is right", "a float32 number", "12.01000023", "Python floats"),
              ("公式是对的", "float32", "12.01000023", "Python 的浮点数"), never=_DIGITS_LOST),
        Wrong("a numpy float32 of the right formula", _cd(f"np.float32({_RIGHT})"),
              ("Your formula is right", "a float32 number", "`np.float32`"),
              ("公式是对的", "float32", "`np.float32`"), never=_DIGITS_LOST),
        Wrong("the right formula in float32 arithmetic",
              "def central_diff(f, x, h):\n    x, h = np.float32(x), np.float32(h)\n"
              f"    return {_RIGHT}\n",
              ("Your formula is right", "a float32 number", "0.5403161049", "0.5403022158"),
              ("公式是对的", "float32", "0.5403161049"),
              never=(*_DIGITS_LOST, "ignores h", "没有用到参数 h")),
        Wrong("a float32 forward difference", _cd("np.float32((f(x + h) - f(x)) / h)"),
              ("forward difference",), ("前向差分",), never=("formula is right", "公式是对的")),
        Wrong("forward difference", _cd("(f(x + h) - f(x)) / h"),
              ("forward difference", "both sides of x"), ("前向差分", "两侧"),
              never=("forget `return`",)),
        Wrong("backward difference", _cd("(f(x) - f(x - h)) / h"),
              ("backward difference", "x − h and x + h"), ("后向差分",)),
        Wrong("divided by h, not 2h", _cd("(f(x + h) - f(x - h)) / h"),
              ("twice too large", "divide by 2h"), ("大了一倍", "除以 2h")),
        Wrong("wrong sign", _cd("(f(x - h) - f(x + h)) / (2 * h)"),
              ("wrong sign", "f(x + h) − f(x − h)"), ("符号反了", "右边的值减去左边的值"),
              never=("twice too large", "大了一倍")),
        Wrong("/ 2 * h without parentheses", _cd("(f(x + h) - f(x - h)) / 2 * h"),
              ("divide by 2 and then multiply by h", "`(2 * h)`"), ("先除以 2 再乘以 h",
                                                                    "`(2 * h)`")),
        Wrong("rise without parentheses", _cd("f(x + h) - f(x - h) / (2 * h)"),
              ("only f(x − h) is divided by 2h", "parentheses"), ("只有 f(x − h) 被除以了 2h",
                                                                  "括号")),
        Wrong("a global x0 leaking in", _cd("(f(x0 + h) - f(x0 - h)) / (2 * h)"),
              ("ignores x", "x0"), ("没有用到参数 x", "x0"),
              never=("ignores h", "ignores f"), before="x0 = 1.0"),
        Wrong("np.sin instead of f", _cd("(np.sin(x + h) - np.sin(x - h)) / (2 * h)"),
              ("f = exp", "ignores f", "Call the f it is given"), ("没有用到参数 f",),
              never=("ignores h", "ignores x")),
        Wrong("a global h leaking in", _cd("(f(x + h) - f(x - h)) / (2 * h)", "f, x, step"),
              ("ignores h", "global h"), ("没有用到参数 h", "全局变量 h"),
              never=("ignores x", "ignores f"), before="h = 1e-3"),
        Wrong("a constant returned", _cd("0.5403"),
              ("returns 0.5403 whatever f, x and h are",), ("都返回 0.5403",)),
        Wrong("return forgotten",
              "def central_diff(f, x, h):\n    (f(x + h) - f(x - h)) / (2 * h)\n",
              ("returned `None`", "forget `return`"), ("返回了 `None`", "`return`")),
        Wrong("a string returned", _cd(f"str({_RIGHT})"),
              ("should be a number", "the string"), ("应该是一个数", "字符串")),
        Wrong("parameters out of order", _cd(_RIGHT, "x, f, h"),
              ("parameters are (x, f, h)", "`central_diff(f, x, h)`"), ("(x, f, h)",
                                                                         "先是函数")),
        Wrong("raises while called", _cd("(f[x + h] - f[x - h]) / (2 * h)"),
              ("raised", "TypeError", "f[x + h]"), ("TypeError",)),
        Wrong("not a function", "central_diff = 0.5403",
              ("not callable",), ("不可调用",)),
    ],
    "ch01.q2": [
        Wrong("rounding side", "best_h = 1e-9", ("rounding side", "larger step"),
              ("舍入误差一侧", "更大的步长"), never=("smaller step",)),
        Wrong("truncation side", "best_h = 1e-2", ("truncation side", "smaller step"),
              ("截断误差一侧", "更小的步长"), never=("larger step",)),
        Wrong("machine epsilon", "best_h = 2.2e-16", ("ε itself", "bottom of the V"),
              ("ε 本身", "V 形的最低点")),
        Wrong("the error, not the step", "best_h = 1e-11", ("rounding side",),
              ("舍入误差一侧",)),
        Wrong("zero", "best_h = 0", ("must be positive",), ("必须是正数",)),
        Wrong("negative", "best_h = -1e-5", ("must be positive",), ("必须是正数",)),
        Wrong("a number in quotes", "best_h = '1e-5'", ("the string '1e-5'",
                                                       "remove the quotes"),
              ("字符串 '1e-5'", "去掉")),
        Wrong("None", "best_h = None", ("`best_h` is `None`",), ("`best_h` 是 `None`",)),
    ],
    "ch01.q3": [
        Wrong("the wrong mode", _modes("forward", 1000, 1),
              ("`mode` = 'forward' is the wrong mode", "fewer passes"),
              ("`mode` = 'forward' 在这里是错误的模式", "遍数更少"),
              never=("count the inputs", "数一数有几个输入")),
        Wrong("counts swapped", _modes("reverse", 1, 1000),
              ("two counts are swapped",), ("两个遍数写反了",),
              never=("wrong mode", "选错了模式")),
        Wrong("counts swapped and the wrong mode", _modes("forward", 1, 1000),
              ("two counts are swapped", "`mode` = 'forward' is the wrong mode too"),
              ("两个遍数写反了", "也选错了模式")),
        Wrong("one forward pass", _modes("reverse", 1, 1),
              ("`forward_passes` is 1", "count the inputs"), ("`forward_passes` 是 1",
                                                              "数一数有几个输入"),
              never=("wrong mode", "选错了模式")),
        Wrong("a reverse pass per input", _modes("reverse", 1000, 1000),
              ("`reverse_passes` is 1000", "how many outputs"), ("`reverse_passes` 是 1000",
                                                                "几个输出")),
        # the words the question asks for, in both languages (the zh question says 'reverse')
        Wrong("backward for reverse", _modes("backward", 1000, 1),
              ("`mode` is 'backward'", "reverse mode", "'forward' and 'reverse'"),
              ("`mode` 是 'backward'", "反向模式", "`'forward'` 和 `'reverse'`"),
              never=("'前向'", "'反向'")),
        Wrong("an unknown mode", _modes("symbolic", 1000, 1),
              ("`mode` is 'symbolic'", "write 'forward' or 'reverse'"),
              ("`mode` 是 'symbolic'", "`'forward'` 或 `'reverse'`"), never=("'前向'", "'反向'")),
        Wrong("mode not a string", "mode = None\nforward_passes = 1000\nreverse_passes = 1\n",
              ("should be the string", "None"), ("应该是字符串", "`'forward'` 或 `'reverse'`"),
              never=("'前向'", "'反向'")),
        Wrong("a count in quotes", _modes("reverse", "1000", 1),
              ("`forward_passes` is the string '1000'", "remove the quotes"),
              ("`forward_passes` 是字符串 '1000'", "去掉")),
    ],
    "ch01.q4": [
        Wrong("y computed after the block",
              _jvp("with tf.autodiff.ForwardAccumulator(primals=x, tangents=v) as acc:\n"
                   "    pass\ny = f(x)\nreturn acc.jvp(y)"),
              ("returned `None`", "no `ForwardAccumulator` was active"),
              ("返回了 `None`", "没有任何 `ForwardAccumulator`"),
              never=("forget `return",)),
        Wrong("return forgotten", _jvp(_ACC + "acc.jvp(y)"),
              ("y got its tangent", "forget `return acc.jvp(y)`"), ("忘了写 `return acc.jvp(y)`",)),
        Wrong("f never called", _jvp("with tf.autodiff.ForwardAccumulator(x, v) as acc:\n"
                                     "    pass\nreturn None"),
              ("without calling f",), ("没有调用 f",)),
        Wrong("the value, not the tangent", _jvp(_ACC + "return y"),
              ("you return f(x), the value", "`acc.jvp(y)`"), ("值本身",)),
        Wrong("tangent of x returned", _jvp(_ACC + "return acc.jvp(x)"),
              ("v itself, the tangent of x",), ("v 本身",)),
        Wrong("ones instead of v",
              _jvp("with tf.autodiff.ForwardAccumulator(x, tf.ones_like(x)) as acc:\n"
                   "    y = f(x)\nreturn acc.jvp(y)"),
              ("J·(1, …, 1)", "`tangents=v`"), ("沿全 1 方向", "`tangents=v`")),
        Wrong("a copy of x as the primal",
              _jvp("x2 = tf.constant(x)\nwith tf.autodiff.ForwardAccumulator(x2, v) as acc:\n"
                   "    y = f(x)\nreturn acc.jvp(y)"),
              ("primals are not the x that f received", "`primals=x`"),
              ("不是 f 收到的那个 x", "`primals=x`")),
        Wrong("reverse mode: a VJP", _jvp(_TAPE + "return t.gradient(y, x, output_gradients=v)"),
              ("used a `GradientTape`", "reverse mode", "ForwardAccumulator"),
              ("用了 `GradientTape`", "反向模式")),
        Wrong("reverse mode: the tape's Jacobian times v",
              _jvp(_TAPE + "J = t.jacobian(y, x)\n"
                   "return tf.reshape(tf.reshape(J, [-1, tf.size(x)]) @ tf.reshape(v, [-1, 1]), "
                   "[-1])"),
              ("used a `GradientTape`", "J·v"), ("用了 `GradientTape`",)),
        Wrong("the whole Jacobian", _jvp(_TAPE + "return t.jacobian(y, x)"),
              ("the whole Jacobian J, shape (3, 2)",), ("整个雅可比矩阵 J", "(3, 2)")),
        Wrong("column by column",
              _jvp("n = int(tf.size(x))\ncols = []\nfor j in range(n):\n"
                   "    e = tf.reshape(tf.one_hot(j, n), x.shape)\n"
                   "    with tf.autodiff.ForwardAccumulator(x, e) as acc:\n"
                   "        y = f(x)\n"
                   "    cols.append(tf.reshape(acc.jvp(y), [-1]))\n"
                   "J = tf.stack(cols, axis=1)\n"
                   "return tf.reshape(J @ tf.reshape(v, [-1, 1]), y.shape)"),
              ("f ran 2 times", "column by column"), ("运行了 2 次", "一列一列")),
        Wrong("hard-coded numbers", _jvp("return tf.constant([-1.0, 0.5403023 / 2, -8.0])"),
              ("numbers are right", "do not come from a `ForwardAccumulator`"),
              ("数值是对的", "不是由 `ForwardAccumulator` 算出来的")),
        Wrong("finite differences",
              _jvp("h = 1e-2\nreturn (f(x + h * v) - f(x - h * v)) / (2 * h)"),
              ("do not come from a `ForwardAccumulator`",),
              ("不是由 `ForwardAccumulator` 算出来的",)),
        Wrong("tangent of the wrong dtype",
              _jvp("with tf.autodiff.ForwardAccumulator(x, tf.cast(v, tf.float64)) as acc:\n"
                   "    y = f(x)\nreturn acc.jvp(y)"),
              ("raised", "ValueError", "dtype"), ("ValueError",)),
        Wrong("a string returned", _jvp(_ACC + "return str(acc.jvp(y))"),
              ("`jvp` returned the string", "a tensor"), ("字符串", "张量")),
        Wrong("not a function", "jvp = 3", ("not callable",), ("不可调用",)),
    ],
}
