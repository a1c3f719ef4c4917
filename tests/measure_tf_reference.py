"""Run tests/tf_reference_cases.py on real TensorFlow and write tests/tf_reference_values.py.

Not part of the test suite (CI never installs TensorFlow). Run it by hand in a throwaway
environment: ``python -m venv /tmp/tfvenv && /tmp/tfvenv/bin/pip install tensorflow``, then
``/tmp/tfvenv/bin/python tests/measure_tf_reference.py``.
"""

from __future__ import annotations

import pprint
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import tensorflow as tf  # noqa: E402
import tf_reference_cases as cases  # noqa: E402


def main() -> None:
    tf.random.set_seed(0)
    values = {}
    for group in ("op_cases", "error_cases", "keras_cases", "module_cases", "fuzz_numeric_a",
                  "fuzz_numeric_b", "fuzz_errors", "fuzz_dtypes", "fuzz_new_ops",
                  "forward_cases", "fuzz_shapes"):
        values[group] = {name: fn() for name, fn in getattr(cases, group)(tf).items()}
    text = (
        '"""Numbers measured on TensorFlow ' + tf.__version__ + " (Keras "
        + tf.keras.__version__ + ")\nby tests/measure_tf_reference.py from the programs in "
        'tests/tf_reference_cases.py.\nGenerated: do not edit by hand."""\n\n'
        "from math import inf, nan  # pprint writes NaN and inf bare\n\n"
        f"TF_VERSION = {tf.__version__!r}\n"
        f"KERAS_VERSION = {tf.keras.__version__!r}\n\n"
        f"VALUES = {pprint.pformat(values, width=96, sort_dicts=True)}\n"
    )
    (HERE / "tf_reference_values.py").write_text(text, encoding="utf-8")
    print(f"wrote {HERE / 'tf_reference_values.py'}")


if __name__ == "__main__":
    main()
