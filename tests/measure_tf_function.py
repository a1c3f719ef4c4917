"""Run the programs of tests/tf_function_programs.py on real TensorFlow and write
tests/tf_function_values.py (their logs, frozen).

Not part of the test suite (CI never installs TensorFlow). Run it with a Python that has
TensorFlow, from the repository root:
``PYTHONPATH=$PWD /work/tfvenv/bin/python tests/measure_tf_function.py``.
"""

from __future__ import annotations

import os
import pprint
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402
import tf_function_programs as programs  # noqa: E402


def main() -> None:
    tf.get_logger().setLevel("ERROR")  # retracing warnings are not part of any log
    logs, notes = {}, {}
    for name in programs.PROGRAMS:
        result = programs.run(tf, name)
        logs[name] = result["log"]
        if result["notes"]:
            notes[name] = result["notes"]
        print(f"{name}: {result['log']!r}"[:200])
    text = (
        '"""Logs of the programs in tests/tf_function_programs.py measured on TensorFlow '
        + tf.__version__ + "\nby tests/measure_tf_function.py. Generated: do not edit by hand."
        '\n\nNOTES are TensorFlow details adkernel need not share (exact exception classes '
        'and\nmessages); tests never compare them."""\n\n'
        f"TF_VERSION = {tf.__version__!r}\n\n"
        f"LOGS = {pprint.pformat(logs, width=90, sort_dicts=True)}\n\n"
        f"NOTES = {pprint.pformat(notes, width=90, sort_dicts=True)}\n"
    )
    (HERE / "tf_function_values.py").write_text(text, encoding="utf-8")
    print(f"wrote {HERE / 'tf_function_values.py'}")


if __name__ == "__main__":
    main()
