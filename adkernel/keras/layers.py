"""``tf.keras.layers``: ``Layer``, ``Dense``, ``BatchNormalization``, ``Dropout``,
``Flatten``, ``Activation`` - Keras 3's arithmetic, on adkernel tensors and tapes.

A layer is built on its first call (its weights get their shapes from the input), keeps
its variables in creation order (``trainable_variables``, ``non_trainable_variables``)
and casts float inputs, numpy arrays and lists to its dtype (float32), as Keras does.
"""

from __future__ import annotations

import inspect

import numpy as np

from ..engine import errors, ops
from ..engine.dtypes import as_dtype
from ..engine.i18n import _, ngettext
from ..engine.tensor import TensorLike, convert_to_tensor
from ..tf_random import dropout as _dropout
from . import activations, initializers
from ._common import KerasVariable, snake, unique_name

__all__ = ["Activation", "BatchNormalization", "Dense", "Dropout", "Embedding", "Flatten",
           "Lambda", "Layer", "LayerNormalization"]

_SHAPE_KWARGS = ("input_shape", "input_dim", "batch_input_shape", "batch_size")


def _refuse(where: str, **given) -> None:
    bad = [k for k, v in given.items() if v is not None and v is not False]
    if bad:
        raise NotImplementedError(ngettext(
            "{where}: the argument {names} is not supported by adkernel's tf.keras (leave it "
            "out; see docs/tf-compat.md).",
            "{where}: the arguments {names} are not supported by adkernel's tf.keras (leave it "
            "out; see docs/tf-compat.md).", len(bad)).format(
                where=where, names=", ".join(repr(b) for b in bad)))


class Layer:
    """Base class of layers: override ``build(input_shape)`` (create weights with
    :meth:`add_weight`) and ``call(inputs, ...)``; call the layer on tensors."""

    def __new__(cls, *args, **kwargs):
        # the constructor's arguments, which model.save() records to rebuild the layer
        # ("__" keys: not walked for sub-layers)
        self = super().__new__(cls)
        self.__dict__["__init_args__"] = (args, kwargs)
        return self

    def __init__(self, *, activity_regularizer=None, trainable=True, dtype=None,
                 autocast=True, name=None, **kwargs):
        _refuse(f"{type(self).__name__}", activity_regularizer=activity_regularizer)
        unknown = sorted(set(kwargs) - set(_SHAPE_KWARGS))
        if unknown:
            raise TypeError(_("{cls}: unrecognized keyword arguments {names}").format(
                cls=type(self).__name__, names=unknown))
        object.__setattr__(self, "_tracked", [])
        self._dtype = as_dtype("float32" if dtype is None else dtype)
        self._autocast = bool(autocast)
        self._trainable = bool(trainable)
        self.name = unique_name(snake(type(self).__name__)) if name is None else str(name)
        self.built = False
        shape = None
        if kwargs.get("batch_input_shape") is not None:
            shape = tuple(kwargs["batch_input_shape"])
        elif kwargs.get("input_shape") is not None:
            shape = (kwargs.get("batch_size"), *tuple(kwargs["input_shape"]))
        elif kwargs.get("input_dim") is not None:
            shape = (kwargs.get("batch_size"), int(kwargs["input_dim"]))
        self._build_shape = shape

    @property
    def _layers(self) -> list:
        """Sub-layers held in attributes (also inside lists, tuples and dicts), in the order
        the attributes were set, as Keras tracks them."""
        found, seen = [], {id(self)}

        def walk(value):
            if isinstance(value, Layer):
                if id(value) not in seen:
                    seen.add(id(value))
                    found.append(value)
            elif isinstance(value, list | tuple):
                for v in value:
                    walk(v)
            elif isinstance(value, dict):
                for v in value.values():
                    walk(v)

        for key, value in vars(self).items():
            if not key.startswith("__"):
                walk(value)
        return found

    # ----- weights ---------------------------------------------------------------------
    def add_weight(self, shape=None, initializer=None, dtype=None, trainable=True,
                   autocast=True, regularizer=None, constraint=None, aggregation="none",
                   overwrite_with_gradient=False, name=None):
        """Create a variable of this layer (``initializer`` by name, object or function)."""
        _refuse("add_weight", regularizer=regularizer,
                overwrite_with_gradient=overwrite_with_gradient or None,
                aggregation=None if aggregation in ("none", None) else aggregation)
        if self.built:  # as Keras 3: build() twice would give the layer a second kernel
            raise ValueError(_(
                "Layer {name!r} is already built: it cannot get new weights. Create every "
                "weight in __init__() or build(), which runs once (on the first call)."
            ).format(name=self.name))
        shape = () if shape is None else tuple(int(s) for s in shape)
        dt = self._dtype if dtype is None else as_dtype(dtype)
        if initializer is None:
            initializer = "glorot_uniform" if dt.is_floating else "zeros"
        init = initializers.get(initializer)
        value = init(shape, dtype=dt)
        value = value if isinstance(value, TensorLike) else convert_to_tensor(
            np.asarray(value, dt._np))
        if tuple(value.shape) != shape:
            raise ValueError(_("add_weight: the initializer gave shape {got}, expected "
                               "{expected}").format(got=tuple(value.shape), expected=shape))
        name = name or "variable"
        var = KerasVariable(value, trainable=bool(trainable) and self._trainable, name=name,
                            dtype=dt, path=f"{self.name}/{name}", constraint=constraint)
        var._keras_trainable = bool(trainable)  # what it is when the layer is trainable
        self._tracked.append(var)
        return var

    @property
    def weights(self) -> list:
        own = [v for v in self._tracked if v._keras_trainable] + [
            v for v in self._tracked if not v._keras_trainable]
        out, seen = [], set()
        for v in own + [w for layer in self._layers for w in layer.weights]:
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        return out

    variables = weights

    @property
    def trainable_weights(self) -> list:
        if not self._trainable:
            return []
        return [v for v in self.weights if v.trainable]

    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self) -> list:
        if not self._trainable:
            return self.weights
        return [v for v in self.weights if not v.trainable]

    non_trainable_variables = non_trainable_weights

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value) -> None:
        self._trainable = bool(value)
        for v in self._tracked:
            v.trainable = self._trainable and v._keras_trainable
        for layer in self._layers:
            layer.trainable = value

    @property
    def dtype(self) -> str:
        return self._dtype.name

    def get_weights(self) -> list:
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights) -> None:
        mine = self.weights
        if len(weights) != len(mine):
            raise ValueError(_("set_weights: layer {name!r} has {expected} weights, got "
                               "{got} arrays").format(name=self.name, expected=len(mine),
                                                       got=len(weights)))
        for v, w in zip(mine, weights, strict=True):
            w = np.asarray(w.numpy() if isinstance(w, TensorLike) else w)
            if w.shape != tuple(v.shape):
                raise ValueError(_("set_weights: {path} has shape {expected}, got an array of "
                                   "shape {got}").format(path=v.path, expected=tuple(v.shape),
                                                         got=w.shape))
            v.assign(w.astype(v.dtype._np))

    def count_params(self) -> int:
        return int(sum(np.prod(v.shape) for v in self.weights))

    # ----- building and calling ----------------------------------------------------------
    def build(self, input_shape) -> None:
        self.built = True

    def call(self, inputs, *args, **kwargs):
        raise NotImplementedError(_("{cls} must define call(self, inputs)").format(
            cls=type(self).__name__))

    def _convert(self, x):
        if isinstance(x, list | tuple) and x and isinstance(x[0], TensorLike):
            return [self._convert(i) for i in x]
        t = x if isinstance(x, TensorLike) else convert_to_tensor(
            x, dtype_hint=self._dtype)
        if self._autocast and t.dtype.is_floating and t.dtype != self._dtype:
            t = ops.cast(t, self._dtype)
        return t

    def _maybe_build(self, shape) -> None:
        if not self.built:
            self.build(shape)
            self.built = True

    def __call__(self, inputs, *args, **kwargs):
        x = self._convert(inputs)
        shape = [tuple(i.shape) for i in x] if isinstance(x, list) else tuple(x.shape)
        if not self.built and not isinstance(x, list) and "__first_input__" not in vars(self):
            # what model.save() records to build the layer again (the batch size left open)
            self.__dict__["__first_input__"] = ([None, *shape[1:]] if shape else [],
                                                x.dtype.name)
        self._maybe_build(shape)
        if "training" in kwargs and not _accepts(self.call, "training"):
            kwargs.pop("training")
        if "mask" in kwargs and not _accepts(self.call, "mask"):
            kwargs.pop("mask")
        return self.call(x, *args, **kwargs)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _accepts(fn, param) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return True
    return param in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


class Dense(Layer):
    """``activation(inputs @ kernel + bias)`` over the last axis of the inputs.

    ``activation`` is a name (``'relu'``) or a function (``tf.nn.relu``); the kernel has
    shape ``(input_dim, units)`` and is created on the first call.
    """

    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, lora_rank=None, lora_alpha=None,
                 quantization_config=None, **kwargs):
        _refuse("Dense", kernel_regularizer=kernel_regularizer,
                bias_regularizer=bias_regularizer, lora_rank=lora_rank, lora_alpha=lora_alpha,
                quantization_config=quantization_config)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if not isinstance(units, int) or units <= 0:  # Keras 3 refuses 2.5, '3', 2.0, 0
            raise ValueError(_("Dense: units must be a positive integer, got {units!r}").format(
                units=units))
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint
        self.kernel = None
        self.bias = None

    def build(self, input_shape):
        if not input_shape or input_shape[-1] is None:
            raise ValueError(_("Dense needs inputs with a known last axis, got shape "
                               "{shape}").format(shape=input_shape))
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                      initializer=self.kernel_initializer, name="kernel",
                                      constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.units,), initializer=self.bias_initializer,
                                        name="bias", constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs, training=None):
        if inputs.ndim < 2:
            raise ValueError(_(
                "Dense layer {name!r} needs a batch of inputs (rank 2 or more), got shape "
                "{shape}: add the batch axis, e.g. tf.expand_dims(x, 0) or x[None, :]."
            ).format(name=self.name, shape=list(inputs.shape)))
        if inputs.dtype.is_integer or inputs.dtype.is_bool:  # cast to the layer's dtype, as Keras
            inputs = ops.cast(inputs, self._dtype)
        if inputs.shape[-1] != self.kernel.shape[0]:
            raise errors.InvalidArgumentError(_(
                "Dense layer {name!r} was built for inputs with {features} features (last "
                "axis) but got shape {shape}.").format(
                    name=self.name, features=self.kernel.shape[0], shape=list(inputs.shape)),
                op="MatMul")
        if inputs.ndim == 2:
            y = ops.matmul(inputs, self.kernel)
        else:
            flat = ops.reshape(inputs, (-1, inputs.shape[-1]))
            y = ops.reshape(ops.matmul(flat, self.kernel), (*inputs.shape[:-1], self.units))
        if self.use_bias:
            y = ops.add(y, self.bias)
        return self.activation(y)


class BatchNormalization(Layer):
    """Normalise with the batch's statistics (``training=True``) or the moving ones.

    In training, the output is ``gamma * (x - mean) / sqrt(var + epsilon) + beta`` with
    the batch mean and (biased) variance over every axis but ``axis``, and the moving
    statistics (non-trainable variables) become ``moving * momentum + batch * (1 -
    momentum)``. Otherwise (``training`` None or False, Keras' default) the moving mean and
    variance are used and nothing changes.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=0.001, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, synchronized=False, **kwargs):
        _refuse("BatchNormalization", beta_regularizer=beta_regularizer,
                gamma_regularizer=gamma_regularizer, renorm=renorm or None,
                renorm_clipping=renorm_clipping, synchronized=synchronized or None)
        if renorm_momentum != 0.99:
            _refuse("BatchNormalization", renorm_momentum=renorm_momentum)
        super().__init__(**kwargs)
        self.axis = int(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self._inits = (beta_initializer, gamma_initializer, moving_mean_initializer,
                       moving_variance_initializer)
        self.beta_constraint, self.gamma_constraint = beta_constraint, gamma_constraint
        self.gamma = self.beta = self.moving_mean = self.moving_variance = None

    def build(self, input_shape):
        rank = len(input_shape)
        if not -rank <= self.axis < rank:
            raise ValueError(_("BatchNormalization: axis {axis} is out of range for inputs "
                               "of shape {shape}").format(axis=self.axis, shape=input_shape))
        self._axis = self.axis % rank
        dim = input_shape[self._axis]
        beta_i, gamma_i, mean_i, var_i = self._inits
        if self.scale:
            self.gamma = self.add_weight((dim,), gamma_i, name="gamma",
                                         constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight((dim,), beta_i, name="beta",
                                        constraint=self.beta_constraint)
        self.moving_mean = self.add_weight((dim,), mean_i, name="moving_mean",
                                           trainable=False)
        self.moving_variance = self.add_weight((dim,), var_i, name="moving_variance",
                                               trainable=False)
        self.built = True

    def call(self, inputs, training=None, mask=None):
        _refuse("BatchNormalization.__call__", mask=mask)
        axes = tuple(a for a in range(inputs.ndim) if a != self._axis)
        shape = [1] * inputs.ndim
        shape[self._axis] = inputs.shape[self._axis]

        def bshape(v):
            return v if self._axis == inputs.ndim - 1 else ops.reshape(v, shape)

        if training:
            mean = ops.reduce_mean(inputs, axis=axes)
            var = ops.reduce_mean(ops.squared_difference(inputs, bshape(mean)), axis=axes)
            m = self.momentum
            self.moving_mean.assign(self.moving_mean * m + ops.stop_gradient(mean) * (1.0 - m))
            self.moving_variance.assign(
                self.moving_variance * m + ops.stop_gradient(var) * (1.0 - m))
        else:
            mean, var = self.moving_mean, self.moving_variance
        inv = ops.rsqrt(ops.add(var, self.epsilon))
        if self.gamma is not None:
            inv = ops.multiply(inv, self.gamma)
        shift = ops.negative(ops.multiply(mean, inv))
        if self.beta is not None:
            shift = ops.add(self.beta, shift)
        return ops.add(ops.multiply(inputs, bshape(inv)), bshape(shift))


class Dropout(Layer):
    """With ``training=True``: ``tf.nn.dropout(x, rate)``; otherwise the identity."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= float(rate) <= 1:
            raise ValueError(_("Dropout: rate must be in [0, 1], got {rate}").format(rate=rate))
        self.rate, self.noise_shape, self.seed = float(rate), noise_shape, seed

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        if self.rate == 1:
            return ops.multiply(inputs, 0.0)
        return _dropout(inputs, self.rate, noise_shape=self.noise_shape, seed=self.seed)


class Flatten(Layer):
    """``(batch, d1, d2, ...)`` to ``(batch, d1 * d2 * ...)``."""

    def __init__(self, data_format=None, **kwargs):
        if data_format not in (None, "channels_last"):
            _refuse("Flatten", data_format=data_format)
        super().__init__(**kwargs)

    def call(self, inputs):
        if inputs.ndim < 2:
            return ops.reshape(inputs, (-1, 1))
        return ops.reshape(inputs, (inputs.shape[0], -1))


class Activation(Layer):
    """Applies an activation (a name or a function)."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)


class Lambda(Layer):
    """Wraps a function of the inputs as a layer: ``Lambda(lambda x: x ** 2)``.

    The function's own variables are not tracked (as in Keras: write a Layer for that).
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        _refuse("Lambda", mask=mask)
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(_("Lambda needs a function, got {type}").format(
                type=type(function).__name__))
        self.function = function
        self.output_shape = output_shape  # (only used by Keras' symbolic shape inference)
        self.arguments = dict(arguments or {})

    def call(self, inputs):
        return self.function(inputs, **self.arguments)


class Embedding(Layer):
    """A lookup table: integer ids ``(...)`` to vectors ``(..., output_dim)``.

    The table ``embeddings`` has shape ``(input_dim, output_dim)`` (uniform in [-0.05, 0.05]
    by default); row ``i`` is the vector of id ``i``. Float ids are cast to int32 (the
    fraction dropped), as Keras does; an id outside ``[0, input_dim)`` raises. The gradient
    of the table is nonzero only in the rows that were looked up (repeats add up).

    ``mask_zero=True`` says that id 0 is padding: ``compute_mask(ids)`` is then ``ids != 0``
    (Keras 3's mask; adkernel's layers do not consume masks, so use it yourself, e.g. to
    average over the real tokens only). Id 0 still has its row in the table.
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 weights=None, lora_rank=None, lora_alpha=None, quantization_config=None,
                 **kwargs):
        _refuse("Embedding", embeddings_regularizer=embeddings_regularizer,
                lora_rank=lora_rank, lora_alpha=lora_alpha,
                quantization_config=quantization_config)
        kwargs.pop("input_length", None)  # Keras 3 accepts it and ignores it
        super().__init__(**kwargs)
        for arg, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(_("`{arg}` must be a positive integer. Received: "
                                   "{arg}={value!r} (of type {type}).").format(
                                       arg=arg, value=value, type=type(value).__name__))
        self.input_dim, self.output_dim = input_dim, output_dim
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_constraint = embeddings_constraint
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.embeddings = None
        if weights is not None:
            self._maybe_build(None)
            self.set_weights(weights)

    def build(self, input_shape=None):
        self.embeddings = self.add_weight(
            shape=(self.input_dim, self.output_dim), initializer=self.embeddings_initializer,
            name="embeddings", constraint=self.embeddings_constraint)
        self.built = True

    def _convert(self, x):
        t = x if isinstance(x, TensorLike) else convert_to_tensor(x)
        if t.dtype.name not in ("int32", "int64"):
            t = ops.cast(t, "int32")
        return t

    def call(self, inputs):
        return ops.gather(self.embeddings, inputs)

    def compute_mask(self, inputs, mask=None):
        """``inputs != 0`` with ``mask_zero=True`` (the ``mask`` given is not used, as in
        Keras 3), else ``None``."""
        if not self.mask_zero:
            return None
        if inputs is None:
            raise ValueError(_("Embedding.compute_mask needs the ids, got None."))
        return ops.not_equal(inputs if isinstance(inputs, TensorLike)
                             else convert_to_tensor(inputs), 0)


class LayerNormalization(Layer):
    """Normalise each sample over ``axis`` (the last by default), then scale and shift:
    ``gamma * (x - mean) / sqrt(var + epsilon) + beta``, with the mean and (biased)
    variance of that sample's entries along ``axis``. ``gamma`` and ``beta`` have the
    shape of those axes. Unlike BatchNormalization, nothing depends on the batch.
    """

    def __init__(self, axis=-1, epsilon=0.001, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):
        _refuse("LayerNormalization", beta_regularizer=beta_regularizer,
                gamma_regularizer=gamma_regularizer, rms_scaling=kwargs.pop(
                    "rms_scaling", None) or None)
        super().__init__(**kwargs)
        if isinstance(axis, list | tuple) and all(
                isinstance(a, int) and not isinstance(a, bool) for a in axis):
            self.axis = list(axis)
        elif isinstance(axis, int) and not isinstance(axis, bool):
            self.axis = axis
        else:
            raise TypeError(_("Expected an int or a list/tuple of ints for the argument "
                              "'axis', but received: {axis!r}").format(axis=axis))
        self.epsilon = float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self._inits = (beta_initializer, gamma_initializer)
        self.beta_constraint, self.gamma_constraint = beta_constraint, gamma_constraint
        self.gamma = self.beta = None

    def build(self, input_shape):
        rank = len(input_shape)
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        if any(not -rank <= a < rank for a in axes):
            raise ValueError(_("LayerNormalization: axis {axis} is out of range for inputs "
                               "of shape {shape}").format(axis=self.axis, shape=input_shape))
        self._axes = sorted(a % rank for a in axes)
        shape = tuple(input_shape[a] for a in self._axes)
        beta_i, gamma_i = self._inits
        if self.scale:
            self.gamma = self.add_weight(shape, gamma_i, name="gamma",
                                         constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight(shape, beta_i, name="beta",
                                        constraint=self.beta_constraint)
        self.built = True

    def call(self, inputs):
        axes = tuple(self._axes)
        bshape = [inputs.shape[a] if a in axes else 1 for a in range(inputs.ndim)]

        def fit(v):
            return v if axes == (inputs.ndim - 1,) else ops.reshape(v, bshape)

        mean = ops.reduce_mean(inputs, axis=axes, keepdims=True)
        var = ops.reduce_mean(ops.squared_difference(inputs, mean), axis=axes, keepdims=True)
        inv = ops.rsqrt(ops.add(var, self.epsilon))
        if self.gamma is not None:
            inv = ops.multiply(inv, fit(self.gamma))
        shift = ops.negative(ops.multiply(mean, inv))
        if self.beta is not None:
            shift = ops.add(shift, fit(self.beta))
        return ops.add(ops.multiply(inputs, inv), shift)
