"""Per-thread engine state: the tapes that are recording and the active forward accumulators.

Tapes are thread-local (as in TensorFlow): an op run in one thread is never recorded
by a tape opened in another.
"""

from __future__ import annotations

import itertools
import threading


class _ThreadState(threading.local):
    def __init__(self) -> None:
        # Tapes that record ops right now, innermost last. The hot path of every op
        # reads this list, so it is kept as a plain attribute.
        self.recording: list = []
        # ForwardAccumulators active right now, innermost last (forward.py).
        self.forward: list = []
        # The Tracer recording this thread's ops into a program (trace.py), or None.
        self.trace = None
        # How many replayed calls (trace.replayed: an optimizer's update...) run right now
        # inside a trace, which is suspended (state.trace is None) while they run.
        self.calling = 0
        # Variables those calls created (an optimizer's slots), for the trace to count.
        self.made_in_call: list = []


state = _ThreadState()

# Every ForwardAccumulator active in any thread: the one check every op makes (a plain
# global is cheaper than the thread-local list; the hook then reads the thread's own).
forward_any: list = []

# Every Tracer active in any thread (trace.py): the cheap check ops make before looking
# for this thread's own (a plain global, as forward_any).
trace_any: list = []

# While a tf.function traces for the first time: (variable, value before) for every
# assignment, so that a second trace (TensorFlow traces twice when the first one creates
# variables) starts from the same state. None otherwise.
journal: list | None = None


# While get_concrete_function traces (TensorFlow only builds a graph then, changing
# nothing): (variable, value before) for every assignment, put back afterwards. None otherwise.
dry_journal: list | None = None


def note_old_value(variable) -> None:
    """Journal ``variable``'s value before an assignment changes it (see ``journal``), in
    this thread's trace or in a replayed call it made (an optimizer's update: the trace is
    suspended then). The second trace runs such a call again, from the values put back, as
    TensorFlow runs the body once; a call that wrote no variable (``tf.print``) is not run
    again: its result is reused."""
    if journal is not None and (state.trace is not None or state.calling):
        journal.append((variable, variable._value.copy()))
    if dry_journal is not None:
        dry_journal.append((variable, variable._value.copy()))

# Serial numbers order tensors and variables by creation; they are global (not per
# thread) so that two threads never hand out the same number.
serials = itertools.count(1)
