"""Wrong answers of chapter 03 (see tests/wrong_answers.py)."""

from wrong_answers import Wrong

Z_TAPE = """
x = tf.Variable(2.0)
y = tf.Variable(3.0)
with tf.GradientTape() as tape:
    z = x**2 * y + y**3
"""
Z_AFTER = """
x = tf.Variable(2.0)
y = tf.Variable(3.0)
with tf.GradientTape() as tape:
    pass
z = x**2 * y + y**3
"""
F_TAPE = """
v = tf.Variable([2.0, 3.0])
with tf.GradientTape() as tape:
    F = tf.stack([v[0] * v[1], v[0] + v[1], v[1] ** 2])
"""
F_AFTER = """
v = tf.Variable([2.0, 3.0])
with tf.GradientTape() as tape:
    pass
F = tf.stack([v[0] * v[1], v[0] + v[1], v[1] ** 2])
"""
NESTED = """
x = tf.Variable(2.0)
y = tf.Variable(3.0)
with tf.GradientTape() as outer:
    with tf.GradientTape() as inner:
        z = x**2 + y**3
"""
NOT_YET = ("not defined yet", "fix the error")
NOT_YET_ZH = ("还没有定义", "改正错误")
# what the old check said to any None in 03 q3: the answer below may already do it
INSIDE = ("must run inside the outer", "必须在外层 `with` 块内执行")

# right numbers that no tape produced (chapter 02 q1 rejects them too)
NOT_BY_TAPE = ("numbers are right", "never asked")
NOT_BY_TAPE_ZH = ("数值是对的", "从没被要过")

TABLE = {
    "ch03.q1": [
        Wrong("hard-coded numbers", Z_TAPE + 'grads = {"x": 12.0, "y": 31.0}',
              (*NOT_BY_TAPE, "`tape.gradient(z, {'x': x, 'y': y})`"),
              (*NOT_BY_TAPE_ZH, "`tape.gradient(z, {'x': x, 'y': y})`")),
        Wrong("the right partials by hand", Z_TAPE + "grads = {'x': 2*x*y, 'y': x**2 + 3*y**2}",
              NOT_BY_TAPE, NOT_BY_TAPE_ZH),
        Wrong("a persistent tape, then tape.gradient",
              Z_TAPE.replace("GradientTape()", "GradientTape(persistent=True)")
              + "grads = tape.gradient(z, {'x': x, 'y': y})",
              ("2xy",), ("2xy",), state="correct"),
        Wrong("a list of sources", Z_TAPE + "grads = tape.gradient(z, [x, y])",
              ("`grads` is a list of 2 items", "Pass a dict of sources"),
              ("`grads` 是一个列表（2 项）", "请把源写成字典")),
        Wrong("a tuple of sources", Z_TAPE + "grads = tape.gradient(z, (x, y))",
              ("`grads` is a tuple of 2 items", "Pass a dict of sources"),
              ("`grads` 是一个元组（2 项）", "请把源写成字典")),
        Wrong("swapped variables under the keys",
              Z_TAPE + "grads = tape.gradient(z, {'x': y, 'y': x})",
              ("swapped", "which key holds which variable"), ("对调了", "每个键对应哪个变量")),
        Wrong("keys other than x and y", Z_TAPE + "grads = tape.gradient(z, {'dx': x, 'dy': y})",
              ("['dx', 'dy']", "use the keys 'x' and 'y'"),
              ("['dx', 'dy']", "请使用键 'x' 和 'y'")),
        Wrong("by hand, ∂z/∂y without the square", Z_TAPE + "grads = {'x': 2*x*y, 'y': x**2 + 3*y}",
              ("`grads['x']` is right, but `grads['y']` = 13", "∂z/∂y", "differentiate each"),
              ("`grads['x']` 是对的，但 `grads['y']` = 13", "∂z/∂y"),
              never=("neither is the partial", "两个都不是")),
        Wrong("by hand, ∂z/∂x without the factor y",
              Z_TAPE + "grads = {'x': 2*x, 'y': x**2 + 3*y**2}",
              ("`grads['y']` is right, but `grads['x']` = 4", "y is a constant"),
              ("`grads['y']` 是对的，但 `grads['x']` = 4", "当作常数"),
              never=("neither is the partial", "两个都不是")),
        Wrong("the seed's z", Z_TAPE + "grads = {'x': 2*x, 'y': 3*y**2}",
              ("4 and 27", "adds the term x²·y"), ("4 和 27", "多了一项 x²·y")),
        Wrong("a new constant as the source of y",
              Z_TAPE + "grads = tape.gradient(z, {'x': x, 'y': tf.constant(3.0)})",
              ("`grads['y']` is `None`", "not the variable y", "Give the variable y itself"),
              ("不是计算 z 所用的那个变量 y", "直接放变量 y 本身"),
              never=("did not watch", "Is it a `tf.Variable`", "没有监视")),
        Wrong("z computed after the with block",
              Z_AFTER + "grads = tape.gradient(z, {'x': x, 'y': y})",
              ("z was computed after the `with` block had ended", "Indent the line"),
              ("z 是在 `with` 块结束之后才计算的", "缩进"),
              never=("did not watch", "Is it a `tf.Variable`", "没有监视")),
        Wrong("wrong sign", Z_TAPE + "g = tape.gradient(z, {'x': x, 'y': y})\n"
              "grads = {'x': -g['x'], 'y': -g['y']}",
              ("wrong sign", "without a minus sign"), ("符号反了", "不要加负号")),
        Wrong("one partial only", Z_TAPE + "grads = tape.gradient(z, {'x': x, 'y': y})['x']",
              ("should be a dict", "it is 12"), ("应该是形如", "但它是 12")),
        Wrong("the code as a string", Z_TAPE + "grads = \"tape.gradient(z, {'x': x, 'y': y})\"",
              ("should be a dict", "the string"), ("应该是形如", "字符串")),
        Wrong("two gradient calls on one tape",
              Z_TAPE + "grads = {'x': tape.gradient(z, x), 'y': tape.gradient(z, y)}",
              NOT_YET, NOT_YET_ZH, state="not attempted"),
    ],
    "ch03.q2": [
        Wrong("a hard-coded Jacobian", F_TAPE + "J = [[3, 2], [1, 1], [0, 6]]",
              (*NOT_BY_TAPE, "`J = tape.jacobian(F, v)`"),
              (*NOT_BY_TAPE_ZH, "`J = tape.jacobian(F, v)`")),
        Wrong("gradient instead of jacobian", F_TAPE + "J = tape.gradient(F, v)",
              ("that is `gradient`", "sum of the three outputs"), ("三个输出之和的梯度",)),
        Wrong("transposed", F_TAPE + "J = tf.transpose(tape.jacobian(F, v))",
              ("`J` has shape (2, 3)", "rows should be outputs"),
              ("`J` 的形状是 (2, 3)", "行应对应输出")),
        Wrong("swapped arguments", F_TAPE + "J = tape.jacobian(v, F)",
              ("Are they swapped?", "The first is the target"), ("写反了", "第一个参数是目标"),
              never=("Indent", "缩进", "Did a function forget")),
        Wrong("sliced sources", F_TAPE + "J = tape.jacobian(F, [v[0], v[1]])",
              ("with `None` in it", "Slicing v", "give the variable v itself"),
              ("其中含有 `None`", "对 v 切片", "直接把变量 v 作为源"),
              never=("should be a number", "应该是一个数")),
        Wrong("F computed after the with block", F_AFTER + "J = tape.jacobian(F, v)",
              ("F was computed after the `with` block had ended", "Indent the line"),
              ("F 是在 `with` 块结束之后才计算的", "缩进"),
              never=("swapped", "写反了")),
        Wrong("wrong sign", F_TAPE + "J = -tape.jacobian(F, v)",
              ("wrong sign", "without a minus sign"), ("符号反了", "不要加负号")),
        Wrong("by hand, ∂(v₁²)/∂v₁ without the 2",
              F_TAPE + "J = [[3.0, 2.0], [1.0, 1.0], [0.0, 3.0]]",
              ("Entry J[2, 1] is 3", "∂F2/∂v1"), ("J[2, 1] 是 3", "∂F2/∂v1")),
        Wrong("the code as a string", F_TAPE + "J = 'tape.jacobian(F, v)'",
              ("array of shape (3, 2)", "the string"), ("形状为 (3, 2) 的数组", "字符串"),
              never=("should be a number",)),
        Wrong("gradient, then jacobian on one tape",
              F_TAPE + "g = tape.gradient(F, v)\nJ = tape.jacobian(F, v)",
              NOT_YET, NOT_YET_ZH, state="not attempted"),
    ],
    "ch03.q3": [
        Wrong("a hard-coded second derivative",
              NESTED + "    dz_dy = inner.gradient(z, y)\nd2z_dy2 = 18.0",
              ("number is right", "never asked", "`d2z_dy2 = outer.gradient(dz_dy, y)`"),
              ("数值是对的", "从没被要过", "`d2z_dy2 = outer.gradient(dz_dy, y)`")),
        Wrong("outer gradient with respect to x (issue 17)",
              NESTED + "    dz_dy = inner.gradient(z, y)\nd2z_dy2 = outer.gradient(dz_dy, x)",
              ("wrong variable", "did record the inner gradient", "with respect to y"),
              ("错误的变量", "确实记录了内层梯度", "对 y 求"),
              never=(*INSIDE, "Indent", "缩进")),
        Wrong("inner gradient after the outer block",
              NESTED + "dz_dy = inner.gradient(z, y)\nd2z_dy2 = outer.gradient(dz_dy, y)",
              ("ran after the outer `with` block had ended", "Indent the line"),
              ("在外层 `with` 块结束之后才执行", "缩进到外层 `with` 之下"),
              never=("wrong variable", "错误的变量")),
        Wrong("inner gradient with respect to x",
              NESTED + "    dz_dy = inner.gradient(z, x)\nd2z_dy2 = outer.gradient(dz_dy, y)",
              ("`dz_dy` is 4 = 2x", "with respect to x"), ("`dz_dy` 是 4 = 2x", "对 x 求的"),
              never=(*INSIDE, "Indent", "缩进")),
        Wrong("both gradients with respect to x",
              NESTED + "    dz_dy = inner.gradient(z, x)\nd2z_dy2 = outer.gradient(dz_dy, x)",
              ("d²z/dx²", "with respect to y"), ("d²z/dx²", "都是对 y")),
        Wrong("the first derivative only",
              NESTED + "    dz_dy = inner.gradient(z, y)\nd2z_dy2 = dz_dy",
              ("27", "first derivative", "Differentiate it again"),
              ("27", "一阶导数", "再求一次导")),
        Wrong("the outer tape asked for dz/dy",
              NESTED + "    dz_dy = inner.gradient(z, y)\nd2z_dy2 = outer.gradient(z, y)",
              ("27", "first derivative"), ("27", "一阶导数")),
        Wrong("wrong sign",
              NESTED + "    dz_dy = inner.gradient(z, y)\nd2z_dy2 = -outer.gradient(dz_dy, y)",
              ("-18", "wrong sign", "without a minus sign"), ("-18", "符号反了", "不要加负号")),
        Wrong("a constant, 6y read as 6",
              NESTED + "    dz_dy = inner.gradient(z, y)\nd2z_dy2 = 6.0",
              ("You found 6", "not the second derivative"), ("你得到 6", "二阶导数")),
        Wrong("a string", NESTED + "    dz_dy = inner.gradient(z, y)\nd2z_dy2 = '18'",
              ("should be a number", "the string '18'"), ("应该是一个数", "字符串 '18'")),
        Wrong("the spent inner tape asked again",
              NESTED + "    dz_dy = inner.gradient(z, y)\nd2z_dy2 = inner.gradient(dz_dy, y)",
              NOT_YET, NOT_YET_ZH, state="not attempted"),
    ],
}
