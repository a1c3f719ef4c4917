"""``tf.data``: a small, eager ``tf.data.Dataset`` (a re-iterable chain of Python generators).

Each method returns a new dataset whose iterator wraps the previous one's, so a pipeline
``from_tensor_slices(...).shuffle(100, seed=1).batch(32)`` is read from left to right and
nothing runs until you iterate. Elements are tensors (or tuples and dicts of tensors), as
in TensorFlow. ``prefetch`` and ``num_parallel_calls`` are accepted and change nothing:
everything runs in order, in the calling thread.

``shuffle`` follows TensorFlow's rules (a buffer of ``buffer_size`` elements, one picked at
random each time; ``seed`` or ``tf.random.set_seed`` makes the orders reproducible; a new
order each pass unless ``reshuffle_each_iteration=False``) with numpy's generator, so the
orders differ from TensorFlow's.
"""

from __future__ import annotations

import itertools

import numpy as np

from ._namespace import Namespace
from .engine.i18n import _
from .engine.tensor import TensorLike, convert_to_tensor
from .tf_function import TensorSpec
from .tf_random import _DEFAULT_GLOBAL_SEED, random

__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "Dataset", "data"]

AUTOTUNE = -1
INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2


def _map_leaves(fn, value):
    """Apply ``fn`` to every tensor of an element (tuples and dicts are structure)."""
    if isinstance(value, tuple):
        return tuple(_map_leaves(fn, v) for v in value)
    if isinstance(value, dict):
        return {k: _map_leaves(fn, v) for k, v in value.items()}
    return fn(value)


def _leaves(value) -> list:
    if isinstance(value, tuple):
        return [leaf for v in value for leaf in _leaves(v)]
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    return [value]


def _tensor(value):
    return value if isinstance(value, TensorLike) else convert_to_tensor(value)


def _stack(elements):
    """One batch from a list of elements of the same structure."""
    first = elements[0]
    if isinstance(first, tuple):
        return tuple(_stack([e[i] for e in elements]) for i in range(len(first)))
    if isinstance(first, dict):
        return {k: _stack([e[k] for e in elements]) for k in first}
    shapes = {tuple(e.shape) for e in elements}
    if len(shapes) > 1:
        raise ValueError(_("Dataset.batch: the elements have different shapes {shapes}; "
                           "a batch stacks elements of one shape.").format(
                               shapes=sorted(shapes)))
    return convert_to_tensor(np.stack([e.numpy() for e in elements]))


def _count(value, name) -> int:
    n = value.numpy() if isinstance(value, TensorLike) else value
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise TypeError(_("Dataset.{name}: expected an integer, got {value!r}").format(
            name=name, value=value))
    return int(n)


class Dataset:
    """A sequence of elements you can iterate over again and again (``for x in ds``)."""

    def __init__(self, make_iterator, cardinality: int, spec=None, kind="_Dataset"):
        # make_iterator: a function of no arguments returning a fresh iterator of elements;
        # spec: the element_spec (None: read from the first element when asked); kind: the
        # class name TensorFlow's repr shows (_TensorSliceDataset, _BatchDataset, ...)
        self._make_iterator = make_iterator
        self._cardinality = int(cardinality)
        self._spec = spec
        self._kind = kind

    def _derived(self, make_iterator, cardinality, kind, spec=None) -> Dataset:
        """A dataset made from this one (the same element_spec unless ``spec`` is given)."""
        return _Lazy(make_iterator, cardinality,
                     (lambda: self.element_spec) if spec is None else (lambda: spec), kind)

    # ----- sources ---------------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors, name=None) -> Dataset:
        """One element per row of ``tensors`` (a tensor, array, list, or a tuple/dict of
        them: all with the same first dimension)."""
        data = _map_leaves(_tensor, tensors)
        sizes = set()
        for leaf in _leaves(data):
            if leaf.ndim == 0:
                raise ValueError(_("Dataset.from_tensor_slices: a scalar has no rows to "
                                   "slice; give tensors of rank 1 or more."))
            sizes.add(int(leaf.shape[0]))
        if len(sizes) > 1:
            raise ValueError(_("Dataset.from_tensor_slices: the first dimensions differ "
                               "({sizes}); every tensor needs the same number of rows.").format(
                                   sizes=sorted(sizes)))
        n = sizes.pop()
        arrays = _map_leaves(lambda t: t.numpy(), data)

        def rows():
            for i in range(n):
                yield _map_leaves(lambda a, i=i: convert_to_tensor(a[i]), arrays)

        spec = _map_leaves(lambda t: TensorSpec(tuple(t.shape[1:]), t.dtype), data)
        return Dataset(rows, n, spec, "_TensorSliceDataset")

    @staticmethod
    def from_tensors(tensors, name=None) -> Dataset:
        """A dataset of one element: ``tensors`` itself."""
        element = _map_leaves(_tensor, tensors)
        return Dataset(lambda: iter([element]), 1, _spec_of(element), "_TensorDataset")

    @staticmethod
    def range(*args, dtype="int64", name=None) -> Dataset:
        """``range(stop)``, ``range(start, stop)``, ``range(start, stop, step)`` as tensors."""
        r = range(*[_count(a, "range") for a in args])
        return Dataset(lambda: (convert_to_tensor(i, dtype=dtype) for i in r), len(r),
                       TensorSpec((), dtype), "_RangeDataset")

    @staticmethod
    def zip(*datasets, name=None) -> Dataset:
        """Elements side by side: ``zip(a, b)`` gives ``(a_i, b_i)``; stops at the shortest."""
        if len(datasets) == 1 and isinstance(datasets[0], tuple | dict):
            datasets = datasets[0]
        parts = _leaves(datasets) if isinstance(datasets, dict) else list(datasets)
        for d in parts:
            if not isinstance(d, Dataset):
                raise TypeError(_("Dataset.zip needs datasets, got {type}").format(
                    type=type(d).__name__))
        cards = [d._cardinality for d in parts]
        finite = [c for c in cards if c >= 0]
        card = (min(finite) if finite else INFINITE_CARDINALITY) \
            if UNKNOWN_CARDINALITY not in cards else UNKNOWN_CARDINALITY
        if isinstance(datasets, dict):
            keys = list(datasets)
            return _Lazy(lambda: (dict(zip(keys, e, strict=True)) for e in
                                  zip(*[iter(d) for d in parts], strict=False)), card,
                         lambda: {k: d.element_spec for k, d in datasets.items()}, "_ZipDataset")
        return _Lazy(lambda: zip(*[iter(d) for d in parts], strict=False), card,
                     lambda: tuple(d.element_spec for d in parts), "_ZipDataset")

    # ----- transformations -------------------------------------------------------------------
    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None,
              deterministic=None, name=None) -> Dataset:
        """Stack ``batch_size`` consecutive elements; the last batch may be smaller unless
        ``drop_remainder=True``."""
        size = _count(batch_size, "batch")
        if size <= 0:
            raise ValueError(_("Dataset.batch: batch_size must be positive, got {size}").format(
                size=size))

        def batches():
            it = iter(self)
            while True:
                chunk = list(itertools.islice(it, size))
                if not chunk or (drop_remainder and len(chunk) < size):
                    return
                yield _stack(chunk)

        card = self._cardinality
        if card >= 0:
            card = card // size if drop_remainder else -(-card // size)
        return _Lazy(batches, card, lambda: _map_leaves(
            lambda sp: TensorSpec(None if type(sp.shape).__name__ != "TensorShape" else
                                  (size if drop_remainder else None, *sp.shape), sp.dtype),
            self.element_spec), "_BatchDataset")

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=None,
                name=None) -> Dataset:
        """Elements in random order, drawn from a buffer of ``buffer_size`` elements
        (``buffer_size`` at least the dataset's size: a uniform shuffle)."""
        size = _count(buffer_size, "shuffle")
        if size <= 0:
            raise ValueError(_("Dataset.shuffle: buffer_size must be positive, got "
                               "{size}").format(size=size))
        reshuffle = True if reshuffle_each_iteration is None else bool(reshuffle_each_iteration)
        if seed is None:  # drawn from tf.random's stream: reproducible after set_seed
            base = int(random._gen(None).integers(2**31))
        else:
            glob = _DEFAULT_GLOBAL_SEED if random._global is None else random._global
            base = (glob * 1_000_003 + int(seed)) % 2**63
        passes = itertools.count()

        def shuffled():
            rng = np.random.default_rng([base, next(passes) if reshuffle else 0])
            it, buf = iter(self), []
            for element in it:
                buf.append(element)
                if len(buf) == size:
                    break
            for element in it:
                k = int(rng.integers(len(buf)))
                yield buf[k]
                buf[k] = element
            while buf:
                yield buf.pop(int(rng.integers(len(buf))))

        return self._derived(shuffled, self._cardinality, "_ShuffleDataset")

    def repeat(self, count=None, name=None) -> Dataset:
        """The dataset ``count`` times over (forever when ``count`` is None or -1)."""
        n = -1 if count is None else _count(count, "repeat")
        card = self._cardinality
        if n >= 0:
            card = card * n if card >= 0 else (card if n else 0)
            return self._derived(lambda: (e for _i in range(n) for e in self), card,
                                 "_RepeatDataset")

        def forever():
            while True:
                empty = True
                for element in self:
                    empty = False
                    yield element
                if empty:  # an empty dataset repeated is empty, not an endless loop
                    return

        card = card if card in (0, UNKNOWN_CARDINALITY) else INFINITE_CARDINALITY
        return self._derived(forever, card, "_RepeatDataset")

    def take(self, count, name=None) -> Dataset:
        """The first ``count`` elements (all of them when ``count`` is -1)."""
        n = _count(count, "take")
        if n < 0:
            return self._derived(self._make_iterator, self._cardinality, "_TakeDataset")
        card = self._cardinality
        card = n if card == INFINITE_CARDINALITY else (min(card, n) if card >= 0 else card)
        return self._derived(lambda: itertools.islice(iter(self), n), card, "_TakeDataset")

    def skip(self, count, name=None) -> Dataset:
        """Every element after the first ``count`` (none when ``count`` is -1)."""
        n = _count(count, "skip")
        card = self._cardinality
        if n < 0:
            return self._derived(lambda: iter(()), 0, "_SkipDataset")
        card = max(card - n, 0) if card >= 0 else card
        return self._derived(lambda: itertools.islice(iter(self), n, None), card,
                             "_SkipDataset")

    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None) -> Dataset:
        """``map_func`` applied to each element (a tuple element is passed as arguments)."""

        def call(element):
            out = map_func(*element) if isinstance(element, tuple) else map_func(element)
            return _map_leaves(_tensor, out)

        def spec():  # TensorFlow traces map_func; adkernel runs it on the first element
            first = next(iter(self), None)
            if first is None:
                return _map_leaves(lambda sp: TensorSpec(None, sp.dtype), self.element_spec)
            return _relax(_spec_of(call(first)), first, self.element_spec)

        return _Lazy(lambda: (call(e) for e in self), self._cardinality, spec, "_MapDataset")

    def filter(self, predicate, name=None) -> Dataset:
        """The elements for which ``predicate`` is true (a tuple is passed as arguments)."""

        def keep(element):
            ok = predicate(*element) if isinstance(element, tuple) else predicate(element)
            return bool(ok.numpy() if isinstance(ok, TensorLike) else ok)

        card = self._cardinality if self._cardinality == INFINITE_CARDINALITY \
            else UNKNOWN_CARDINALITY
        return self._derived(lambda: (e for e in self if keep(e)), card, "_FilterDataset")

    def enumerate(self, start=0, name=None) -> Dataset:
        """``(index, element)`` pairs, the index an int64 tensor counting from ``start``."""
        return Dataset.zip(Dataset.range(start, 2**62), self)

    def prefetch(self, buffer_size, name=None) -> Dataset:
        """Accepted and ignored: adkernel reads the elements in order, when needed."""
        return self._derived(self._make_iterator, self._cardinality, "_PrefetchDataset")

    def cache(self, filename="", name=None) -> Dataset:
        """Accepted and ignored (the elements are computed again on each pass)."""
        return self._derived(self._make_iterator, self._cardinality, "CacheDataset")

    # ----- reading ---------------------------------------------------------------------------
    def __iter__(self):
        return iter(self._make_iterator())

    def as_numpy_iterator(self):
        """The elements as numpy values (tuples and dicts kept)."""
        return (_map_leaves(lambda t: t.numpy(), e) for e in self)

    def cardinality(self):
        """The number of elements as an int64 tensor; -1 infinite, -2 unknown (after
        ``filter``), as ``tf.data.INFINITE_CARDINALITY`` and ``UNKNOWN_CARDINALITY``."""
        return convert_to_tensor(np.int64(self._cardinality))

    def __len__(self) -> int:
        if self._cardinality == INFINITE_CARDINALITY:
            raise TypeError(_("The dataset is infinite."))
        if self._cardinality == UNKNOWN_CARDINALITY:
            raise TypeError(_("The dataset length is unknown."))
        return self._cardinality

    def __bool__(self) -> bool:
        return True

    @property
    def element_spec(self):
        """The shape and dtype of an element: a ``tf.TensorSpec`` (or a tuple or dict of
        them); a dimension that may vary (the last, smaller batch) is ``None``."""
        return self._spec

    def __repr__(self) -> str:
        return f"<{self._kind} element_spec={self.element_spec!r}>"


class _Lazy(Dataset):
    """A dataset whose element_spec is worked out when first asked for (from the datasets
    it reads, or from its first element after ``map``)."""

    def __init__(self, make_iterator, cardinality, spec_fn, kind):
        super().__init__(make_iterator, cardinality, None, kind)
        self._spec_fn = spec_fn

    @property
    def element_spec(self):
        if self._spec is None:
            self._spec = self._spec_fn()
        return self._spec


def _spec_of(element):
    return _map_leaves(lambda t: TensorSpec(tuple(_tensor(t).shape), _tensor(t).dtype), element)


def _relax(spec, first, first_spec):
    """A mapped element's spec: where the input's element had a dimension of unknown size
    (a batch), an output dimension of the same size in the same place is unknown too."""
    sizes = {}
    for leaf, sp in zip(_leaves(first), _leaves(first_spec), strict=False):
        if type(sp.shape).__name__ == "TensorShape":
            for i, d in enumerate(sp.shape):
                if d is None:
                    sizes.setdefault(i, int(_tensor(leaf).shape[i]))

    def relax(sp):
        dims = tuple(None if sizes.get(i) == d else d for i, d in enumerate(sp.shape))
        return TensorSpec(dims, sp.dtype)

    return _map_leaves(relax, spec) if sizes else spec


data = Namespace("tf.data", Dataset=Dataset, AUTOTUNE=AUTOTUNE,
                 INFINITE_CARDINALITY=INFINITE_CARDINALITY,
                 UNKNOWN_CARDINALITY=UNKNOWN_CARDINALITY,
                 experimental=Namespace("tf.data.experimental", AUTOTUNE=AUTOTUNE,
                                        INFINITE_CARDINALITY=INFINITE_CARDINALITY,
                                        UNKNOWN_CARDINALITY=UNKNOWN_CARDINALITY,
                                        cardinality=lambda ds: ds.cardinality()))
