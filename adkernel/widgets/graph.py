"""A tape's computation graph as an SVG picture: pure Python, no Graphviz.

:func:`graph_of` (in :mod:`adkernel.engine.inspect`) says what was computed; this module
says where to draw it, in three steps, one module each:

* :mod:`.graph_summary`: long tapes are summarised first (a repeated loop body is drawn
  twice around one summary node; whatever is still too big is cut to ``max_nodes`` nodes);
* :mod:`.graph_layout`: :func:`layout`, a small layered (Sugiyama-style) layout, values
  flowing from top to bottom;
* :mod:`.graph_svg`: :func:`render_svg` turns the result into a self-contained SVG
  document (no CSS, no scripts), the same bytes for the same computation.

:class:`GraphPicture` is what a notebook displays, and :func:`show_graph` makes one from
a tape: ``adkernel.show_graph(y, tape=tape)``.
"""

from __future__ import annotations

import sys
from collections import Counter

from ..engine.i18n import _
from ..engine.inspect import Graph, graph_of, program_graph
from ..engine.tape import GradientTape, TapeState
from .graph_layout import (  # noqa: F401  (re-exported: the names this module always had)
    DUMMY_WIDTH,
    FONT_SIZE,
    GAP_X,
    GAP_Y,
    LEAF_WORDS,
    LINE,
    MARGIN,
    MIN_BOX_WIDTH,
    ORDER_SWEEPS,
    PAD_X,
    PLACE_SWEEPS,
    SMALL_SIZE,
    Layout,
    _display_name,
    _label,
    _text_width,
    layout,
)
from .graph_summary import (  # noqa: F401  (re-exported: the names this module always had)
    MAX_LOOPS,
    MAX_PERIOD,
    MIN_REPEATS,
    _summarise,
)
from .graph_svg import (  # noqa: F401  (re-exported: the names this module always had)
    EDGE_COLOUR,
    EMPTY_TEXT,
    FLOWS,
    FONT_FAMILY,
    HALO,
    HIGHLIGHT,
    ID_PLACEHOLDER,
    KIND_NAMES,
    LEGEND_NAMES,
    LIST_SEPARATOR,
    STYLES,
    TEXT,
    _check_options,
    describe,
    render_svg,
    svg_img_html,
)

__all__ = ["GraphPicture", "Layout", "describe", "layout", "render_svg", "show_graph",
           "svg_img_html"]


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class GraphPicture:
    """A computation graph that displays itself as SVG in Jupyter.

    Parameters
    ----------
    graph : Graph
        From :func:`~adkernel.engine.inspect.graph_of`.
    **options
        Passed to :func:`render_svg`: ``highlight``, ``done``, ``show_values``,
        ``show_grads``, ``title``, ``max_nodes``, ``flow``.

    Examples
    --------
    >>> from adkernel import tf
    >>> from adkernel.engine.inspect import graph_of
    >>> x = tf.Variable(3.0)
    >>> with tf.GradientTape() as tape:
    ...     y = x ** 2
    >>> pic = GraphPicture(graph_of(tape, y))
    >>> pic
    <computation graph: 3 nodes, 2 edges>
    >>> sorted(pic._repr_mimebundle_())
    ['text/html', 'text/plain']

    The picture travels as an ``<img>`` inside ``text/html`` (see :func:`svg_img_html`),
    which JupyterLab shows even in a saved notebook nobody has trusted or run, and
    nbconvert's HTML keeps.
    """

    def __init__(self, graph: Graph, **options):
        _check_options(options)
        self.graph = graph
        self.options = options

    @property
    def svg(self) -> str:
        """The picture as SVG text (see :func:`render_svg`)."""
        return render_svg(self.graph, **self.options)

    @property
    def alt(self) -> str:
        """The picture in words (the image's alt text)."""
        return describe(self.graph, self.options.get("title"))

    def _repr_html_(self) -> str:
        return svg_img_html(self.svg, self.alt)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        bundle = {}
        for mime, make in (("text/html", self._repr_html_), ("text/plain", self.__repr__)):
            if (include is None or mime in include) and not (exclude and mime in exclude):
                bundle[mime] = make()
        return bundle

    def to_dot(self) -> str:
        """The same (summarised) graph as Graphviz DOT text, for ``dot -Tsvg``.

        Examples
        --------
        >>> from adkernel import tf
        >>> from adkernel.engine.inspect import graph_of
        >>> x = tf.Variable(3.0)
        >>> with tf.GradientTape() as tape:
        ...     y = x ** 2
        >>> print(GraphPicture(graph_of(tape, y)).to_dot().splitlines()[-2])
          n1 -> n2 [headlabel="1"];
        """
        drawn = _summarise(self.graph, int(self.options.get("max_nodes", 120)))
        show = {k: self.options.get(k, True) for k in ("show_values", "show_grads")}
        lines = ["digraph computation {", "  rankdir=TB;",
                 '  node [shape=box, style="rounded,filled", fontname="sans-serif", fontsize=11];']
        for n in drawn.graph.nodes:
            lab = _label(n, **show)
            text = "\n".join([lab.prefix + lab.main, *(t for _role, t in lab.rows)])
            fill, stroke, dash = STYLES.get(n.kind, STYLES["op"])
            style = ', style="rounded,filled,dashed"' if dash else ""
            width = ", penwidth=3" if n.id == drawn.graph.target else ""
            lines.append(f'  {n.id} [label={_dot_quote(text)}, fillcolor="{fill}", '
                         f'color="{stroke}"{style}{width}];')
        fan_in = Counter(d for _s, d, _p in drawn.graph.edges)
        back = self.options.get("flow", "forward") == "backward"
        for src, dst, pos in drawn.graph.edges:
            attrs = ([f'headlabel="{pos}"'] if fan_in[dst] > 1 else []) + (
                ["dir=back"] if back else [])  # the arrowhead on the input: gradient flow
            port = f" [{', '.join(attrs)}]" if attrs else ""
            lines.append(f"  {src} -> {dst}{port};")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def __repr__(self) -> str:
        return _("<computation graph: {nodes} nodes, {edges} edges>").format(
            nodes=len(self.graph.nodes), edges=len(self.graph.edges))


def _caller_names() -> dict:
    """The namespace of the first caller outside adkernel (a notebook's, usually)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] == "adkernel":
        frame = frame.f_back
    if frame is None:
        return {}
    names = dict(frame.f_locals)
    for k, v in frame.f_globals.items():
        names.setdefault(k, v)
    return names


def _traced_program(obj):
    """The program of a ConcreteFunction (or of a tf.function traced exactly once)."""
    program = getattr(obj, "program", None)
    if program is not None and hasattr(program, "live_steps"):
        return program
    cache = getattr(obj, "_cache", None)
    if isinstance(cache, dict) and hasattr(obj, "get_concrete_function"):
        programs = [p for variants in cache.values() for p in variants]
        if len(programs) == 1:
            return programs[0]
        raise ValueError(_(
            "This tf.function has {n} traces: pick one with "
            "show_graph(f.get_concrete_function(x)) for the arguments you mean.").format(
                n=len(programs)))
    return None


def show_graph(target, tape=None, names: dict | None = None, **options) -> GraphPicture:
    """Draw the computation graph a tape recorded for ``target``, with gradients.

    The plain-Python twin of the notebook magic: ``adkernel.show_graph(y, tape=tape)``
    displays as a picture in Jupyter. The tape must still hold its records: make it
    ``tf.GradientTape(persistent=True)``, or call ``show_graph`` before ``tape.gradient``.

    Parameters
    ----------
    target : Tensor, ConcreteFunction or None
        The value to differentiate (boxes show the gradient of it); None draws the tape
        without gradients. A ``tf.function``'s concrete function (or a ``tf.function``
        traced once) draws its traced program instead, without a tape: the ops it
        replays, the forward pass and the gradients taken inside it alike.
    tape : GradientTape
        The tape that recorded the computation.
    names : dict, optional
        ``{name: tensor}`` for the labels (``y = pow``). By default the names of the
        calling code (a notebook's variables); pass ``{}`` for none.
    **options
        :func:`render_svg`'s options: ``highlight``, ``done``, ``show_values``,
        ``show_grads``, ``title``, ``max_nodes``, ``flow``.

    Returns
    -------
    GraphPicture

    Raises
    ------
    RuntimeError
        The tape recorded nothing, or was a non-persistent tape whose one gradient has
        already been taken (its records are gone).

    Examples
    --------
    >>> from adkernel import tf
    >>> x = tf.Variable(3.0)
    >>> with tf.GradientTape(persistent=True) as tape:
    ...     y = x ** 2
    >>> pic = show_graph(y, tape)
    >>> "grad 6" in pic.svg
    True
    """
    program = _traced_program(target)
    if program is not None:  # a tf.function's trace: draw what tracing captured
        _check_options(options)
        graph = program_graph(program, names=_caller_names() if names is None else names)
        options.setdefault("show_grads", False)
        return GraphPicture(graph, **options)
    if not isinstance(tape, GradientTape):
        raise TypeError(_("tape must be a tf.GradientTape, got {type}: call "
                          "show_graph(y, tape=tape) with the tape that computed y").format(
            type=type(tape).__name__))
    if tape.view().state is TapeState.USED:
        raise RuntimeError(_(
            "This GradientTape has already computed its gradient and let go of its records, "
            "so there is no graph left to draw. Create it with "
            "tf.GradientTape(persistent=True), or call show_graph before tape.gradient."))
    if tape.view().state is TapeState.NEW:
        raise RuntimeError(_(
            "This GradientTape never recorded anything: compute the target inside "
            "`with tf.GradientTape() as tape:` first, then call show_graph(y, tape=tape)."))
    _check_options(options)  # before any work
    graph = graph_of(tape, target, names=_caller_names() if names is None else names)
    return GraphPicture(graph, **options)
