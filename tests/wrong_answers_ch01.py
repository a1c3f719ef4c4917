"""Wrong answers of chapter 01 (see tests/wrong_answers.py)."""

from wrong_answers import Wrong


def _cd(body: str, params: str = "f, x, h") -> str:
    return f"def central_diff({params}):\n    return {body}\n"


_RIGHT = "(f(x + h) - f(x - h)) / (2 * h)"


def _modes(mode, fp, rp) -> str:
    return f"mode = {mode!r}\nforward_passes = {fp!r}\nreverse_passes = {rp!r}\n"


TABLE = {
    "ch01.q1": [
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
        Wrong("backward for reverse", _modes("backward", 1000, 1),
              ("`mode` is 'backward'", "reverse mode", "'forward' and 'reverse'"),
              ("`mode` 是 'backward'", "反向模式")),
        Wrong("an unknown mode", _modes("symbolic", 1000, 1),
              ("`mode` is 'symbolic'", "write 'forward' or 'reverse'"),
              ("`mode` 是 'symbolic'",)),
        Wrong("mode not a string", "mode = None\nforward_passes = 1000\nreverse_passes = 1\n",
              ("should be the string", "None"), ("应该是字符串",)),
        Wrong("a count in quotes", _modes("reverse", "1000", 1),
              ("`forward_passes` is the string '1000'", "remove the quotes"),
              ("`forward_passes` 是字符串 '1000'", "去掉")),
    ],
}
