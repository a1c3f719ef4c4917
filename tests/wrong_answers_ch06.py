"""Wrong answers of chapter 06 (see tests/wrong_answers.py)."""

from wrong_answers import Wrong

from adkernel.exercises import ch06

E = ch06.q1.solution_code  # the tiny engine: mul and backward
R = ch06.q2.solution_code  # round_st

MUL_LOCALS = "((self, other.data), (other, self.data))"
ACCUMULATE = "parent.grad += node.grad * local"
REVERSED = "reversed(topological_order(self))"

TABLE = {
    "ch06.q1": [
        Wrong("swapped local gradients",
              E.replace(MUL_LOCALS, "((self, self.data), (other, other.data))"),
              ("local derivatives are swapped", "the *other* factor"),
              ("局部导数对调了", "另一个")),
        Wrong("= instead of += (accumulation)",
              E.replace(ACCUMULATE, "parent.grad = node.grad * local"),
              ("overwrote the first", "accumulate with `+=`"), ("覆盖了第一份", "用 `+=` 累加"),
              never=("reversed(topological_order",)),
        Wrong("backward in topological order, not reversed",
              E.replace(REVERSED, "topological_order(self)"),
              ("no gradient reached a, b or c", "walk it backwards"),
              ("没有梯度到达 a、b 或 c", "倒着遍历")),
        Wrong("backward breadth-first from f, not in topological order",
              E.replace(
                  f"    for node in {REVERSED}:\n        for parent, local in node.parents:\n"
                  f"            {ACCUMULATE}\n",
                  "    todo = [self]\n    while todo:\n        node = todo.pop(0)\n"
                  "        for parent, local in node.parents:\n"
                  f"            {ACCUMULATE}\n            todo.append(parent)\n"),
              ("feeds two operations", "reverse topological order"), ("参与两个操作", "逆拓扑序"),
              never=("accumulate with",)),
        Wrong("backward forgets the chain rule (local alone, no upstream)",
              E.replace(ACCUMULATE, "parent.grad += local"),
              ("`node.grad * local`", "chain rule", "instead of 8"),
              ("`node.grad * local`", "链式法则", "而不是 8"),
              never=("reverse topological order", "`reversed(topological_order(self))`")),
        Wrong("a global grad instead of node.grad (earlier cell)",
              E.replace(ACCUMULATE, "parent.grad += grad * local"),
              ("`node.grad * local`", "chain rule"), ("链式法则",),
              never=("reverse topological order",), before="grad = 1.0"),
        Wrong("upstream without the local derivative",
              E.replace(ACCUMULATE, "parent.grad += node.grad"),
              ("∂f/∂a = 1 and ∂f/∂b = 1", "local derivatives of the product are lost"),
              ("∂f/∂a = 1、∂f/∂b = 1", "局部导数丢了")),
        Wrong("wrong sign (-=)",
              E.replace(ACCUMULATE, "parent.grad -= node.grad * local"),
              ("∂f/∂a = −5", "wrong sign", "`+=`"), ("∂f/∂a = −5", "符号错了", "`+=`")),
        Wrong("forward value is a sum",
              E.replace("Value(self.data * other.data,", "Value(self.data + other.data,"),
              ("`(a * b).data` is 7", "`self.data * other.data`"),
              ("`(a * b).data` 是 7", "`self.data * other.data`")),
        Wrong("mul returns a float, not a Value",
              E.replace(f"return Value(self.data * other.data, {MUL_LOCALS})",
                        "return self.data * other.data"),
              ("gives 10, not a `Value`", "remembers its parents"),
              ("得到的是 10，不是 `Value`", "父节点")),
        Wrong("backward starts from grad 0",
              E.replace("self.grad = 1.0", "self.grad = 0.0"),
              ("f.grad is 0", "`self.grad = 1.0`"), ("f.grad 是 0", "`self.grad = 1.0`")),
        Wrong("backward raises (misspelt name)",
              E.replace(REVERSED, "reversed(topo_order(self))"),
              ("raised NameError", "topo_order"), ("抛出了 NameError", "topo_order")),
        Wrong("mul left as a number", E + "\nmul = 3.0",
              ("`mul` should be a function", "3"), ("`mul` 应该是一个函数", "3")),
    ],
    "ch06.q2": [
        Wrong("grad returns 1.0 (issue 17)", R.replace("return upstream", "return 1.0"),
              ("returns 1, of shape ()", "x of shape (4,)", "one gradient per element of x"),
              ("返回了 1，形状为 ()", "形状为 (4,) 的 x", "每个元素返回一个梯度"),
              never=("ShapeError",)),
        Wrong("grad returns 0.0", R.replace("return upstream", "return 0.0"),
              ("returns 0, of shape ()", "one gradient per element of x"),
              ("返回了 0，形状为 ()", "每个元素返回一个梯度"), never=("ShapeError",)),
        Wrong("grad returns zeros like upstream",
              R.replace("return upstream", "return tf.zeros_like(upstream)"),
              ("is 0", "derivative of a staircase"), ("梯度是 0", "阶梯函数的导数")),
        Wrong("grad returns ones: upstream ignored",
              R.replace("return upstream", "return tf.ones_like(upstream)"),
              ("is 1", "ignores `upstream`"), ("是 1", "忽略了 `upstream`")),
        Wrong("grad returns x", R.replace("return upstream", "return x"),
              ("comes out as x itself", "returns x, the input"), ("返回了 x",)),
        Wrong("grad returns the rounded y", R.replace("return upstream", "return y"),
              ("comes out as the rounded values", "returns y, the output"), ("返回了 y",)),
        Wrong("wrong sign", R.replace("return upstream", "return -upstream"),
              ("−3 instead of 3", "flips the sign"), ("−3 而不是 3", "符号反了")),
        Wrong("no decorator", R.replace("@tf.custom_gradient\n", ""),
              ("returned a pair", "`@tf.custom_gradient`"), ("一对值", "`@tf.custom_gradient`")),
        Wrong("forward does not round", R.replace("y = tf.round(x)", "y = tf.identity(x)"),
              ("returns x unchanged", "must still round"), ("原样返回了 x", "仍然必须取整")),
        Wrong("floor instead of round", R.replace("tf.round(x)", "tf.floor(x)"),
              ("not the rounded values",), ("不是取整后的值",)),
        Wrong("plain tf.round, no custom gradient", "def round_st(x):\n    return tf.round(x)",
              ("is `None`", "`@tf.custom_gradient`"),
              ("梯度是 `None`", "没有梯度", "`@tf.custom_gradient`")),
        Wrong("forgot to return anything", "def round_st(x):\n    y = tf.round(x)",
              ("returned None", "rounded values"), ("返回了 None", "取整结果")),
        Wrong("grad raises (misspelt name)", R.replace("return upstream", "return upstrem"),
              ("raised NameError", "upstrem"), ("抛出了 NameError", "upstrem")),
        Wrong("a string", "round_st = 'tf.round'",
              ("should be a function", "string"),
              ("应该是一个函数", "字符串")),
    ],
}

# -- ch06.q3: a traced training step --------------------------------------------------------------
T = ch06.q3.solution_code
DECORATOR = "@tf.function\n"
TAPE = "    with tf.GradientTape() as tape:"
RETURN = "    return loss"
LOOP_DECORATED = T.replace(DECORATOR, "").replace("def train(", "@tf.function\ndef train(")

TABLE["ch06.q3"] = [
    Wrong("step not decorated (plain Python)", T.replace(DECORATOR, ""),
          ("plain Python function", "ran 100 times", "`@tf.function`"),
          ("普通的 Python 函数", "运行了 100 次", "`@tf.function`")),
    Wrong("the loop decorated instead of the step", LOOP_DECORATED,
          ("traced `train`, the loop", "above `def train_step`"),
          ("追踪的是循环 `train`", "`def train_step` 上方")),
    Wrong("both the loop and the step decorated",
          T.replace("def train(", "@tf.function\ndef train("),
          ("`train` is a tf.function too", "Remove `@tf.function` above `def train`"),
          ("`train` 也成了 tf.function", "删掉 `def train` 上方的 `@tf.function`"),
          never=("Put `@tf.function` above `def train_step`",)),
    Wrong("a Variable created inside the traced step",
          T.replace(TAPE, "    W = tf.Variable(W_start)\n" + TAPE),
          ("TracingError", "first trace only", "the `W` and `b` it receives"),
          ("TracingError", "第一次追踪时创建变量", "它收到的 `W` 和 `b`")),
    Wrong("float(loss) inside the step", T.replace(RETURN, "    print(float(loss))\n" + RETURN),
          ("reads a tensor's value", "behind the scenes", "keep the loss a tensor"),
          ("读取了张量的值", "在幕后重新追踪", "让损失保持为张量")),
    Wrong("an if on loss.numpy() inside the step",
          T.replace(RETURN, "    if loss.numpy() > 100:\n        print('diverging')\n" + RETURN),
          ("reads a tensor's value", "`.numpy()`"), ("读取了张量的值", "`.numpy()`")),
    Wrong("the step returns nothing", T.replace(RETURN + "\n", "\n"),
          ("returns `None`", "`return loss`"), ("返回了 `None`", "`return loss`")),
    Wrong("the step returns W and b", T.replace(RETURN, "    return W, b"),
          ("returns a tuple", "the loss of the epoch"), ("返回了", "这个迭代周期的损失")),
    Wrong("a Python epoch number passed to the step",
          T.replace("def train_step(W, b)", "def train_step(W, b, epoch)")
           .replace("        train_step(W, b)", "        train_step(W, b, epoch)"),
          ("traced 100 times", "`epoch`", "by its value"),
          ("被追踪了 100 次", "`epoch`", "按取值计入签名")),
    Wrong("W rebound instead of assign_sub",
          T.replace("W.assign_sub(0.1 * dW)", "W = W - 0.1 * dW"),
          ("W is still at its start value", "`W.assign_sub(0.1 * dW)`"),
          ("W 仍是初始值", "`W.assign_sub(0.1 * dW)`")),
    Wrong("gradient added (uphill)", T.replace("assign_sub", "assign_add"),
          ("moved uphill", "Subtract the gradient"), ("往上坡走", "减去梯度")),
    Wrong("a Python counter in the step (the trace keeps its first value)",
          "count = [0]\n" + T.replace("    W.assign_sub(0.1 * dW)",
                                      "    count[0] += 1\n"
                                      "    W.assign_sub((0.1 if count[0] == 1 else 0.05) * dW)"),
          ("run eagerly", "a trace keeps the value it saw"), ("即时执行", "追踪只保留")),
    Wrong("gradients written by hand, no tape",
          T.replace(TAPE + "\n        loss = tf.reduce_mean(tf.square(W * X + b - y))\n"
                    "    dW, db = tape.gradient(loss, [W, b])",
                    "    r = W * X + b - y\n    loss = tf.reduce_mean(tf.square(r))\n"
                    "    dW = 2 * tf.reduce_mean(r * X)\n    db = 2 * tf.reduce_mean(r)"),
          ("no `tape.gradient` call", "`with tf.GradientTape() as tape:`"),
          ("不是由 `tape.gradient` 算出来的",)),
    Wrong("the loop never calls the step",
          T.replace("        train_step(W, b)\n", "        pass\n"),
          ("never called `train_step`",), ("从没调用 `train_step`",)),
]
