"""``fit(class_weight=...)``, ``Embedding(mask_zero=True)`` and the reprs of ``tf.data``
datasets, against TensorFlow 2.21 / Keras 3 (tests/tf_reference_cases.py,
``keras_remainder_cases``), and the mistakes around them."""

from __future__ import annotations

import numpy as np
import pytest
import tf_reference_cases as cases
from reference_compare import assert_matches
from tf_reference_values import VALUES

from adkernel import tf

REMAINDER = cases.keras_remainder_cases(tf)


def test_every_program_has_a_frozen_value():
    assert sorted(REMAINDER) == sorted(VALUES["keras_remainder_cases"])


@pytest.mark.parametrize("name", sorted(REMAINDER))
def test_matches_tensorflow(name):
    assert_matches(REMAINDER[name](), VALUES["keras_remainder_cases"][name], name)


def _classifier():
    model = cases._dense3(tf)
    model.compile(optimizer=tf.keras.optimizers.SGD(0.2),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def test_class_weight_is_sample_weight_by_class():
    """Weighting each class is weighting each sample by its class: the same training."""
    weights = {0: 2.0, 1: 0.5, 2: 1.0}
    by_class, by_sample = _classifier(), _classifier()
    h1 = by_class.fit(cases.XN, cases.LABELS8, class_weight=weights, batch_size=3, epochs=2,
                      shuffle=False, verbose=0)
    per_sample = np.array([weights[int(c)] for c in cases.LABELS8], np.float32)
    h2 = by_sample.fit(cases.XN, cases.LABELS8, sample_weight=per_sample, batch_size=3,
                       epochs=2, shuffle=False, verbose=0)
    assert h1.history == h2.history
    for a, b in zip(by_class.get_weights(), by_sample.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_class_weight_mistakes_say_what_to_do():
    model = _classifier()
    with pytest.raises(TypeError, match=r"class_weight must be a dict"):
        model.fit(cases.XN, cases.LABELS8, class_weight=[1.0, 2.0, 3.0], verbose=0)
    with pytest.raises(ValueError, match="at the same time"):
        model.train_on_batch(cases.XN, cases.LABELS8, sample_weight=np.ones(8),
                             class_weight={0: 2.0})
    with pytest.raises(ValueError, match="single output"):
        model.fit(cases.XN, (cases.LABELS8, cases.LABELS8), class_weight={0: 2.0}, verbose=0)


def test_the_mask_marks_the_padding_and_the_table_keeps_row_zero():
    layer = tf.keras.layers.Embedding(4, 3, mask_zero=True)
    ids = np.array([[2, 1, 0, 0]])
    out = layer(ids)
    np.testing.assert_array_equal(out.numpy()[0, 2], layer.embeddings.numpy()[0])
    mask = layer.compute_mask(ids)
    assert mask.dtype == tf.bool and mask.numpy().tolist() == [[True, True, False, False]]
    # the mean over the real tokens only: what a learner does with the mask
    m = tf.cast(mask, tf.float32)[..., None]
    mean = tf.reduce_sum(out * m, axis=1) / tf.reduce_sum(m, axis=1)
    np.testing.assert_allclose(mean.numpy()[0], out.numpy()[0, :2].mean(axis=0), rtol=1e-6)


def test_a_dataset_shows_its_element_spec():
    ds = tf.data.Dataset.from_tensor_slices((cases.XN, cases.LABELS8)).batch(4)
    x_spec, y_spec = ds.element_spec
    assert tuple(x_spec.shape) == (None, 3) and x_spec.dtype == tf.float32
    assert tuple(y_spec.shape) == (None,) and y_spec.dtype == tf.int64
    assert repr(ds).startswith("<_BatchDataset element_spec=(TensorSpec(shape=(None, 3)")
    calls = []
    mapped = tf.data.Dataset.range(3).map(lambda i: calls.append(i) or i * 2)
    assert calls == []  # nothing runs until the spec is asked for ...
    assert repr(mapped.element_spec) == "TensorSpec(shape=(), dtype=tf.int64, name=None)"
    assert len(calls) == 1  # ... then map_func runs once, on the first element
    empty = tf.data.Dataset.range(0).map(lambda i: i * 2)
    assert repr(empty).startswith("<_MapDataset element_spec=TensorSpec(shape=<unknown>")
