"""``tf.keras.optimizers``: ``SGD``, ``Adam``, ``AdamW``, ``RMSprop`` and ``Adagrad`` with
Keras 3's update rules; ``learning_rate`` may be a number or a schedule (``schedules.py``).

``apply_gradients(zip(grads, variables))`` updates the variables in place (``assign``),
so it runs outside a tape's record like Keras' does. Per-variable slots (momentum, the
Adam moments) are created on the first step that sees a variable.
"""

from __future__ import annotations

import numpy as np

from ..engine import ops
from ..engine.i18n import _, ngettext
from ..engine.tensor import TensorLike, Variable, convert_to_tensor
from ..engine.trace import replayed
from . import schedules
from ._common import KerasVariable, snake, unique_name

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop"]


class Optimizer:
    """The common part: learning rate, gradient clipping, weight decay, step counter."""

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        cls = type(self).__name__
        if kwargs:
            raise TypeError(_("{cls}: unrecognized keyword arguments {names}").format(
                cls=cls, names=sorted(kwargs)))
        bad = [k for k, v in (("use_ema", use_ema or None),
                              ("ema_overwrite_frequency", ema_overwrite_frequency),
                              ("loss_scale_factor", loss_scale_factor),
                              ("gradient_accumulation_steps", gradient_accumulation_steps))
               if v is not None]
        if ema_momentum != 0.99:
            bad.append("ema_momentum")
        if bad:
            raise NotImplementedError(ngettext(
                "tf.keras.optimizers.{cls}: the argument {names} is not supported by "
                "adkernel; leave it out (see docs/tf-compat.md).",
                "tf.keras.optimizers.{cls}: the arguments {names} are not supported by "
                "adkernel; leave it out (see docs/tf-compat.md).", len(bad)).format(
                    cls=cls, names=", ".join(repr(b) for b in bad)))
        if sum(x is not None for x in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(_("Only one of clipnorm, clipvalue and global_clipnorm can be "
                               "set."))
        self.name = unique_name(snake(cls)) if name is None else str(name)
        self._schedule = learning_rate if callable(learning_rate) else None
        self._lr = None if self._schedule else KerasVariable(
            float(learning_rate), trainable=False, name="learning_rate",
            path=f"{self.name}/learning_rate")
        self.iterations = KerasVariable(np.int64(0), trainable=False, name="iteration",
                                        path=f"{self.name}/iteration")
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self._slots: dict[int, dict] = {}
        self._built_for: set | None = None

    @property
    def learning_rate(self):
        """The learning rate of the next step: the variable, or (for a schedule) its value
        at ``iterations``."""
        if self._schedule is None:
            return self._lr
        return self._current_lr()

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(self._schedule, schedules.LearningRateSchedule):
            raise TypeError(_(
                "This optimizer was created with a learning-rate schedule as its "
                "learning_rate, so its learning rate cannot be set. Create the optimizer with "
                "a number as learning_rate if you want to change it yourself."))
        if callable(value):
            self._schedule, self._lr = value, None
            return
        number = float(value.numpy() if isinstance(value, TensorLike) else value)
        if self._lr is None:
            self._schedule = None
            self._lr = KerasVariable(number, trainable=False, name="learning_rate",
                                     path=f"{self.name}/learning_rate")
        else:
            self._lr.assign(number)

    def _current_lr(self):
        """The learning rate as a tensor: a schedule is called with ``iterations`` (the
        number of steps taken so far), another function with no arguments."""
        if self._schedule is None:
            return self._lr.read_value()
        if isinstance(self._schedule, schedules.LearningRateSchedule):
            lr = self._schedule(self.iterations.read_value())
        else:
            lr = self._schedule()
        return lr if isinstance(lr, TensorLike) else convert_to_tensor(lr)

    @property
    def variables(self) -> list:
        out = [self.iterations] + ([] if self._lr is None else [self._lr])
        for slots in self._slots.values():
            out.extend(slots.values())
        return out

    def _slot(self, var, key, initial=None):
        slots = self._slots.setdefault(id(var), {})
        if key not in slots:
            base = var.name.split(":")[0]
            value = np.zeros(var.shape, var.dtype._np) if initial is None else initial
            slots[key] = KerasVariable(value, trainable=False, name=f"{base}_{key}",
                                       path=f"{self.name}/{base}_{key}")
        return slots[key]

    def _clip(self, grads):
        if self.clipnorm is not None:
            return [ops.clip_by_norm(g, self.clipnorm) for g in grads]
        if self.clipvalue is not None:
            return [ops.clip_by_value(g, -self.clipvalue, self.clipvalue) for g in grads]
        if self.global_clipnorm is not None:
            return ops.clip_by_global_norm(grads, self.global_clipnorm)[0]
        return grads

    @replayed  # (an update reads values outside ops: a traced step runs it at every call)
    def apply_gradients(self, grads_and_vars):
        """Update each variable from its gradient: ``apply_gradients(zip(grads, vars))``.

        Pairs whose gradient is None are skipped; if every gradient is None, ValueError
        (Keras' "No gradients provided for any variable."). Returns ``iterations``.
        """
        pairs = list(grads_and_vars)
        for item in pairs:
            if not (isinstance(item, tuple | list) and len(item) == 2):
                raise TypeError(_(
                    "apply_gradients needs (gradient, variable) pairs, e.g. "
                    "optimizer.apply_gradients(zip(grads, model.trainable_variables))"))
        for _g, v in pairs:  # first: a tensor here (``w = w - 0.1`` replaced a variable)
            if not isinstance(v, Variable):  # has no gradient either, which says less
                raise TypeError(_("apply_gradients can only update tf.Variable objects, got "
                                  "{type}").format(type=type(v).__name__))
        kept = [(g, v) for g, v in pairs if g is not None]
        if not kept:
            names = [getattr(v, "name", "?") for _g, v in pairs]
            raise ValueError(_("No gradients provided for any variable. Variables: {names}. "
                               "Check that the loss was computed inside the GradientTape and "
                               "depends on these variables.").format(names=names))
        if self._built_for is None:  # the first call fixes the variables, as in Keras 3
            self.build([v for _g, v in pairs])
        self._check_known([v for _g, v in kept])
        grads = [g if isinstance(g, TensorLike) else convert_to_tensor(g) for g, _v in kept]
        grads = self._clip(grads)
        lr = float(self._current_lr().numpy())
        step = int(self.iterations.numpy()) + 1
        for g, v in zip(grads, (v for _g, v in kept), strict=True):
            gv = np.asarray(g.numpy(), dtype=v.dtype._np)
            if gv.shape != tuple(v.shape):
                raise ValueError(_("apply_gradients: the gradient for {name} has shape "
                                   "{grad_shape}, the variable {shape}").format(
                                       name=v.name, grad_shape=gv.shape, shape=tuple(v.shape)))
            if self.weight_decay is not None:
                wd = np.asarray(float(self.weight_decay), v.dtype._np)
                v.assign(v.numpy() - v.numpy() * wd * np.asarray(lr, v.dtype._np))
            self._update(v, gv, np.asarray(lr, v.dtype._np), step)
            if v.constraint is not None:
                v.assign(v.constraint(v))
        self.iterations.assign(np.int64(step))
        return self.iterations

    def build(self, var_list) -> None:
        """Fix the variables this optimizer updates (the first ``apply_gradients`` does it)."""
        self._built_for = {id(v) for v in var_list}

    def _check_known(self, variables) -> None:
        for v in variables:
            if id(v) not in self._built_for:
                raise ValueError(_(
                    "This optimizer was first used for other variables, so it cannot update "
                    "{path}: an optimizer keeps state (steps, moments) for the variables of "
                    "one model. Create a new optimizer for each model, e.g. "
                    "tf.keras.optimizers.Adam() again.").format(
                        path=getattr(v, "path", None) or v.name))

    def _update(self, var, g, lr, step):
        raise NotImplementedError

    def minimize(self, *args, **kwargs):
        raise NotImplementedError(_(
            "Keras 3 optimizers (TensorFlow 2.21) have no minimize(); compute the gradients "
            "with a GradientTape and call optimizer.apply_gradients(zip(grads, variables))."))

    def get_config(self) -> dict:
        return {"name": self.name, "learning_rate": float(self._current_lr().numpy())}


class SGD(Optimizer):
    """Gradient descent, with optional (Nesterov) momentum, exactly as Keras 3:

    ``m = momentum * m - lr * g``; then ``v += m`` (or, with ``nesterov``,
    ``v += momentum * m - lr * g``); without momentum ``v -= lr * g``.
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        if not isinstance(momentum, int | float) or not 0 <= momentum <= 1:
            raise ValueError(_("`momentum` must be a float between [0, 1]."))
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def _update(self, var, g, lr, step):
        if self.momentum == 0:
            var.assign(var.numpy() - g * lr)
            return
        mom = np.asarray(self.momentum, var.dtype._np)
        m = self._slot(var, "momentum")
        new_m = -g * lr + m.numpy() * mom
        m.assign(new_m)
        if self.nesterov:
            var.assign(var.numpy() + (-g * lr + new_m * mom))
        else:
            var.assign(var.numpy() + new_m)


class Adam(Optimizer):
    """Adam as Keras 3: ``alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)``,
    ``m += (g - m)(1 - beta_1)``, ``v += (g**2 - v)(1 - beta_2)``,
    ``var -= alpha * m / (sqrt(v) + epsilon)``; ``amsgrad`` uses the running max of v."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07,
                 amsgrad=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self.beta_1, self.beta_2 = float(beta_1), float(beta_2)
        self.epsilon = float(epsilon)
        self.amsgrad = bool(amsgrad)

    def _update(self, var, g, lr, step):
        dt = var.dtype._np
        b1, b2 = np.asarray(self.beta_1, dt), np.asarray(self.beta_2, dt)
        b1_power = np.power(b1, np.asarray(step, dt))
        b2_power = np.power(b2, np.asarray(step, dt))
        alpha = lr * np.sqrt(1 - b2_power) / (1 - b1_power)
        m = self._slot(var, "momentum")
        v = self._slot(var, "velocity")
        m.assign(m.numpy() + (g - m.numpy()) * (1 - b1))
        v.assign(v.numpy() + (np.square(g) - v.numpy()) * (1 - b2))
        vv = v.numpy()
        if self.amsgrad:
            vhat = self._slot(var, "velocity_hat")
            vhat.assign(np.maximum(vhat.numpy(), vv))
            vv = vhat.numpy()
        var.assign(var.numpy() - (m.numpy() * alpha) / (np.sqrt(vv) + np.asarray(
            self.epsilon, dt)))


class AdamW(Adam):
    """Adam with decoupled weight decay, as Keras 3: before each Adam step,
    ``var -= var * weight_decay * lr`` (default ``weight_decay=0.004``)."""

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-07, amsgrad=False, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        if weight_decay is None:
            raise ValueError(_("Argument `weight_decay` must be a float. Received: "
                               "weight_decay=None"))
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay,
                         clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
                         ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)


class RMSprop(Optimizer):
    """RMSprop as Keras 3: ``v = rho * v + (1 - rho) * g**2``; the step is
    ``lr * g / sqrt(v + epsilon)`` (``centered``: ``sqrt(v - a**2 + epsilon)`` with ``a``
    the running mean of g); with ``momentum``, ``m = momentum * m + step`` and
    ``var -= m``, else ``var -= step``."""

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-07,
                 centered=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self.rho, self.momentum = float(rho), float(momentum)
        self.epsilon, self.centered = float(epsilon), bool(centered)

    def _update(self, var, g, lr, step):
        dt = var.dtype._np
        rho = np.asarray(self.rho, dt)
        v = self._slot(var, "velocity")
        v.assign(v.numpy() * rho + np.square(g) * (1 - rho))
        if self.centered:
            a = self._slot(var, "average_gradient")
            a.assign(a.numpy() * rho + g * (1 - rho))
            denominator = v.numpy() - np.square(a.numpy()) + np.asarray(self.epsilon, dt)
        else:
            denominator = v.numpy() + np.asarray(self.epsilon, dt)
        increment = (lr * g) / np.sqrt(denominator)
        if self.momentum > 0:
            m = self._slot(var, "momentum")
            m.assign(m.numpy() * np.asarray(self.momentum, dt) + increment)
            var.assign(var.numpy() - m.numpy())
        else:
            var.assign(var.numpy() - increment)


class Adagrad(Optimizer):
    """Adagrad as Keras 3: ``acc += g**2`` (``acc`` starts at
    ``initial_accumulator_value``), ``var -= lr * g / sqrt(acc + epsilon)``."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-07,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None,
                 **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        self.initial_accumulator_value = float(initial_accumulator_value)
        self.epsilon = float(epsilon)

    def _update(self, var, g, lr, step):
        dt = var.dtype._np
        start = np.full(var.shape, self.initial_accumulator_value, dt)
        acc = self._slot(var, "accumulator", start)
        acc.assign(acc.numpy() + np.square(g))
        var.assign(var.numpy() - (lr * g) / np.sqrt(acc.numpy() + np.asarray(self.epsilon, dt)))
