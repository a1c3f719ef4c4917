"""Wrong answers of chapter 00 (see tests/wrong_answers.py)."""

from wrong_answers import Wrong

TABLE = {
    "ch00.q1": [
        Wrong("rise without the run", "slope = 3.5**2 - 3**2",
              ("3.25", "divide by the run"), ("3.25",)),
        Wrong("a value of f", "slope = 3.5**2", ("value of f", "not a slope"), ()),
        Wrong("the tangent instead of the secant", "slope = 2 * 3", ("6.0", "tangent"), ()),
        Wrong("run upside down", "slope = (3.5 - 3) / (3.5**2 - 3**2)",
              ("(f(3.5) − f(3)) ÷ (3.5 − 3)",), ()),
        Wrong("a string", "slope = '6.5'", ("should be a number", "string"), ()),
        Wrong("division by zero", "slope = (3.5**2 - 3**2) / (3.5 - 3.5)",
              ("not defined yet", "fix the error"), ("还没有定义",), state="not attempted"),
    ],
}
