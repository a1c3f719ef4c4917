"""``tf.keras.optimizers``: ``SGD`` and ``Adam`` with Keras 3's update rules.

``apply_gradients(zip(grads, variables))`` updates the variables in place (``assign``),
so it runs outside a tape's record like Keras' does. Per-variable slots (momentum, the
Adam moments) are created on the first step that sees a variable.
"""

from __future__ import annotations

import numpy as np

from ..engine import ops
from ..engine.i18n import _, ngettext
from ..engine.tensor import TensorLike, Variable, convert_to_tensor
from ._common import KerasVariable, out_of_scope, snake, unique_name

__all__ = ["SGD", "Adam", "Optimizer"]


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
        if callable(learning_rate) and not isinstance(learning_rate, int | float):
            raise out_of_scope(_("A learning-rate schedule"),
                               _("Set optimizer.learning_rate = value yourself between "
                                 "steps."))
        self.name = unique_name(snake(cls)) if name is None else str(name)
        self._lr = KerasVariable(float(learning_rate), trainable=False, name="learning_rate",
                                 path=f"{self.name}/learning_rate")
        self.iterations = KerasVariable(np.int64(0), trainable=False, name="iteration",
                                        path=f"{self.name}/iteration")
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self._slots: dict[int, dict] = {}
        self._built_for: set | None = None

    @property
    def learning_rate(self):
        return self._lr

    @learning_rate.setter
    def learning_rate(self, value):
        self._lr.assign(float(value.numpy() if isinstance(value, TensorLike) else value))

    @property
    def variables(self) -> list:
        out = [self.iterations, self._lr]
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
        kept = [(g, v) for g, v in pairs if g is not None]
        if not kept:
            names = [getattr(v, "name", "?") for _g, v in pairs]
            raise ValueError(_("No gradients provided for any variable. Variables: {names}. "
                               "Check that the loss was computed inside the GradientTape and "
                               "depends on these variables.").format(names=names))
        for _g, v in kept:
            if not isinstance(v, Variable):
                raise TypeError(_("apply_gradients can only update tf.Variable objects, got "
                                  "{type}").format(type=type(v).__name__))
        if self._built_for is None:  # the first call fixes the variables, as in Keras 3
            self.build([v for _g, v in pairs])
        self._check_known([v for _g, v in kept])
        grads = [g if isinstance(g, TensorLike) else convert_to_tensor(g) for g, _v in kept]
        grads = self._clip(grads)
        lr = float(self._lr.numpy())
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
        return {"name": self.name, "learning_rate": float(self._lr.numpy())}


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


