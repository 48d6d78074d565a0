"""Optimizer update rules on PyTorch: each rule is a short run of ``torch._foreach_*`` ops over every parameter.

The optimizers (``fastkeras/optimizers/``) decide *what* to compute, in Keras 2's terms, and call these
functions once per training step with whole lists: parameters, gradients and slot tensors aligned by position,
plus plain Python floats for the step's scalars (learning rate, bias corrections), which the optimizer works
out on the host in float32 the way tf-keras does. So a step launches a fixed number of multi-tensor kernels
whatever the number of parameters, never reads a device value back, and allocates only temporaries. Under
``jit_compile`` the same functions are traced into the compiled step, with the step's scalars as 0-d tensors.

Slots are created here (``optimizer_slot``) next to their parameter, on its device and in its memory format.
Scalars owned by an optimizer (learning rate, iteration count) live on the CPU (``optimizer_host_scalar``):
reading one there is a host memory read, not a device synchronisation.

Where torch.optim has a rule with the same mathematics it is named below; only Adam's is used (the fused
kernel, see ``adam_update``), because the others differ from Keras in where epsilon sits or in what the
momentum slot holds.
"""
import operator

import torch

from fastkeras.backend.torch.core import Variable

# The fused Adam kernel is used when it exists and every tensor qualifies; tests switch it off to check the
# foreach path against the same reference numbers.
FUSED_ADAM = hasattr(torch, "_fused_adam_")


# ---- state -----------------------------------------------------------------------------------

def optimizer_slot(reference, name, initial_value=None):
    """A non-trainable Variable shaped like ``reference`` on its device: zeros, a constant, or a copy of a tensor."""
    with torch.no_grad():
        if initial_value is None:
            data = torch.zeros_like(reference)
        elif isinstance(initial_value, torch.Tensor):
            data = initial_value.detach().to(reference.device, reference.dtype).clone(
                memory_format=torch.preserve_format)
        else:
            data = torch.full_like(reference, float(initial_value))
    slot = Variable(data, requires_grad=False)
    slot.name = name
    return slot


def optimizer_host_scalar(value, dtype, name):
    """A 0-d non-trainable Variable on the CPU (learning rate, iteration count)."""
    scalar = Variable(torch.tensor(value, dtype=getattr(torch, dtype), device="cpu"), requires_grad=False)
    scalar.name = name
    return scalar


def optimizer_scalar_value(scalar):
    """The Python number held by a 0-d CPU tensor (no device involved)."""
    return scalar.item()


def optimizer_scalar_assign(scalar, value):
    with torch.no_grad():
        scalar.fill_(value)


def optimizer_fused_layout(params):
    """Whether ``params`` (as listed in a plan) suit the fused kernels: one device and dtype, contiguous."""
    if not params:
        return False
    first = params[0]
    if first.device.type not in ("cpu", "cuda") or first.dtype not in (torch.float16, torch.bfloat16,
                                                                       torch.float32, torch.float64):
        return False
    return all(p.device == first.device and p.dtype == first.dtype and p.is_contiguous() for p in params)


def optimizer_step_scalars(values, reference):
    """A step's host-computed numbers (learning rate, bias corrections) as one float32 tensor next to
    ``reference``, for a compiled training step: as inputs of the graph they change every step without
    recompiling it (Python numbers would be baked into the graph as constants)."""
    return torch.tensor(values, dtype=torch.float32).to(reference.device, non_blocking=True)


def _add_scaled_(targets, sources, scale):
    """``targets += scale * sources``; ``scale`` is a Python number (eager) or a 0-d tensor (compiled step)."""
    if isinstance(scale, torch.Tensor):
        torch._foreach_add_(targets, torch._foreach_mul(sources, scale))
    else:
        torch._foreach_add_(targets, sources, alpha=scale)


def _addcdiv_scaled_(targets, numerators, denominators, scale):
    """``targets += scale * numerators / denominators``, ``scale`` a number or a 0-d tensor."""
    if isinstance(scale, torch.Tensor):
        torch._foreach_addcdiv_(targets, torch._foreach_mul(numerators, scale), denominators)
    else:
        torch._foreach_addcdiv_(targets, numerators, denominators, value=scale)


# ---- gradient processing ---------------------------------------------------------------------

# A row-sparse gradient (see below) is clipped through its values, occurrence by occurrence, before repeated rows
# are summed: that is what tf-keras does to an Embedding's IndexedSlices (it clips before deduplicating), so a
# table looked up twice in a batch is clipped as Keras clips it.

def _values(gradient):
    return gradient._values() if gradient.layout is torch.sparse_coo else gradient


def _like(gradient, values):
    """``values`` in ``gradient``'s layout (a sparse gradient keeps its row indices)."""
    if gradient.layout is torch.sparse_coo:
        return torch.sparse_coo_tensor(gradient._indices(), values, gradient.shape, check_invariants=False)
    return values


@torch.no_grad()
def clip_gradients_by_norm(grads, clipnorm):
    """Each gradient rescaled to an L2 norm of at most ``clipnorm`` (tf.clip_by_norm); new tensors."""
    values = [_values(g) for g in grads]
    norms = torch._foreach_norm(values)
    scaled = torch._foreach_mul(values, clipnorm)
    torch._foreach_div_(scaled, torch._foreach_maximum(norms, clipnorm))
    return list(map(_like, grads, scaled))


@torch.no_grad()
def clip_gradients_by_global_norm(grads, clipnorm):
    """All gradients scaled together so that their joint L2 norm is at most ``clipnorm`` (tf.clip_by_global_norm)."""
    values = [_values(g) for g in grads]
    total = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(values)))
    # clip * min(1/total, 1/clip) (1 under the limit); "+ (total - total)" makes it NaN for an infinite norm, as
    # TensorFlow does. No Python number becomes a device tensor here, so nothing waits on the device.
    scale = clipnorm * torch.clamp(1.0 / total, max=1.0 / clipnorm) + (total - total)
    return list(map(_like, grads, torch._foreach_mul(values, scale.to(values[0].dtype))))


@torch.no_grad()
def clip_gradients_by_value(grads, clipvalue):
    clipped = torch._foreach_clamp_min([_values(g) for g in grads], -clipvalue)
    torch._foreach_clamp_max_(clipped, clipvalue)
    return list(map(_like, grads, clipped))


@torch.no_grad()
def decay_weights(params, factor):
    """Decoupled weight decay: ``p -= p * factor`` with factor = learning_rate * weight_decay."""
    torch._foreach_mul_(params, 1.0 - factor)


@torch.no_grad()
def ema_update(averages, params, momentum):
    """``average = momentum * average + (1 - momentum) * param`` (the optimizers' EMA of the weights)."""
    torch._foreach_lerp_(averages, params, 1.0 - momentum)


@torch.no_grad()
def copy_values(targets, sources):
    torch._foreach_copy_(targets, sources)


# ---- row-sparse gradients --------------------------------------------------------------------
# An Embedding trained on the CPU hands the optimizer a sparse COO gradient: the rows its batch looked up
# (tf-keras' IndexedSlices). The rules below update only those rows where Keras does, and decay the whole slot
# where Keras does; the arithmetic is tf-keras' sparse branch of each rule, applied after duplicate rows are
# summed (tf-keras' `_deduplicate_sparse_grad`), so the result equals the dense rule's.

def is_row_sparse(gradient):
    """Whether ``gradient`` is a sparse COO tensor (the rows of a table that a batch looked up)."""
    return gradient.layout is torch.sparse_coo


@torch.no_grad()
def densify_gradients(grads):
    """``grads`` with every sparse gradient made dense (for rules and gradient processing without a sparse
    branch)."""
    return [g.to_dense() if g.layout is torch.sparse_coo else g for g in grads]


def _rows(gradient):
    """(row indices, row values) of a sparse gradient, duplicate rows summed."""
    gradient = gradient.coalesce()
    return gradient.indices()[0], gradient.values()


@torch.no_grad()
def sgd_sparse_update(param, gradient, momentum_slot, lr, momentum, nesterov):
    """Keras SGD on the looked-up rows: ``m = momentum * m - lr * g`` over the whole slot (tf-keras' sparse
    branch), then ``p += m`` (nesterov: the rows' ``-lr * g`` plus ``momentum * m``)."""
    index, values = _rows(gradient)
    if momentum == 0.0 and not nesterov:
        # m becomes -lr * g: zero outside the rows, so only the rows of p move.
        momentum_slot.zero_()
        momentum_slot.index_add_(0, index, values, alpha=-lr)
        param.index_add_(0, index, values, alpha=-lr)
        return
    momentum_slot.mul_(momentum)
    momentum_slot.index_add_(0, index, values, alpha=-lr)
    if nesterov:
        param.index_add_(0, index, values, alpha=-lr)
        param.add_(momentum_slot, alpha=momentum)
    else:
        param.add_(momentum_slot)


@torch.no_grad()
def rmsprop_sparse_update(param, gradient, velocity, momentum_slot, average_grad, lr, rho, momentum, epsilon):
    """Keras RMSprop on the looked-up rows: the velocity (and centered average) decay everywhere, grow on the
    rows; the step moves only the rows (with momentum, the whole decayed momentum slot)."""
    index, values = _rows(gradient)
    velocity.mul_(rho)
    velocity.index_add_(0, index, values * values, alpha=1.0 - rho)
    denominator = velocity.index_select(0, index)
    if average_grad is not None:
        average_grad.mul_(rho)
        average_grad.index_add_(0, index, values, alpha=1.0 - rho)
        average_rows = average_grad.index_select(0, index)
        denominator.addcmul_(average_rows, average_rows, value=-1.0)
    denominator.add_(epsilon).rsqrt_().mul_(values)  # g / sqrt(denominator), row by row
    if momentum_slot is not None:
        momentum_slot.mul_(momentum)
        momentum_slot.index_add_(0, index, denominator, alpha=lr)
        param.sub_(momentum_slot)
    else:
        param.index_add_(0, index, denominator, alpha=-lr)


@torch.no_grad()
def adagrad_sparse_update(param, gradient, accumulator, lr, epsilon):
    """Keras Adagrad on the looked-up rows (nothing else changes: Adagrad has no decay)."""
    index, values = _rows(gradient)
    accumulator.index_add_(0, index, values * values)
    step = accumulator.index_select(0, index).add_(epsilon).rsqrt_().mul_(values)
    param.index_add_(0, index, step, alpha=-lr)


# ---- update rules ----------------------------------------------------------------------------

@torch.no_grad()
def sgd_update(params, grads, momentums, lr, momentum, nesterov):
    """Keras SGD: ``m = momentum * m - lr * g``; ``p += m`` (nesterov: ``p += momentum * m - lr * g``).

    torch.optim.SGD keeps ``buf = momentum * buf + g`` and steps ``p -= lr * buf``: the same only while the
    learning rate never changes, and its slot holds a different quantity, so it is not used.
    """
    torch._foreach_mul_(momentums, momentum)
    _add_scaled_(momentums, grads, -lr)
    if nesterov:
        torch._foreach_add_(params, momentums, alpha=momentum)
        _add_scaled_(params, grads, -lr)
    else:
        torch._foreach_add_(params, momentums)


# A step count at which the fused kernel's own bias corrections 1 - beta^t are exactly 1 (beta^t underflows).
_NO_BIAS_CORRECTION_STEP = 1e30


@torch.no_grad()
def adam_update(params, grads, ms, vs, vhats, alpha, beta_1, beta_2, epsilon, fused):
    """Keras Adam: ``m += (g - m)(1 - b1)``; ``v += (g^2 - v)(1 - b2)``; ``p -= alpha * m / (sqrt(v) + eps)``.

    ``alpha = lr * sqrt(1 - b2^t) / (1 - b1^t)`` comes from the optimizer, computed in float32 as TensorFlow
    does (in float32, ``1 - b2^t`` loses digits for small t, and tf-keras' results carry that rounding). With
    amsgrad, ``vhat = max(vhat, v)`` replaces ``v`` in the step.

    torch's Adam divides by ``sqrt(v) / sqrt(1 - b2^t) + eps`` and bias-corrects inside its kernel. Its fused
    kernel is still used, when ``fused`` says the plan's tensors suit it and the gradients are contiguous and of
    the parameters' shapes: it is given a step count at which its bias corrections are exactly 1, ``alpha`` as
    learning rate and Keras' epsilon, and then computes Keras' rule in one pass.
    """
    if fused and FUSED_ADAM and not isinstance(alpha, torch.Tensor) and all(map(operator.methodcaller("is_contiguous"), grads)) and \
            all(map(operator.eq, map(operator.attrgetter("shape"), grads), map(operator.attrgetter("shape"), params))):
        steps = torch.full((), _NO_BIAS_CORRECTION_STEP, dtype=torch.float32, device=params[0].device)
        torch._fused_adam_(params, list(grads), ms, vs, vhats or [], [steps] * len(params), lr=alpha, beta1=beta_1,
                           beta2=beta_2, weight_decay=0.0, eps=epsilon, amsgrad=bool(vhats), maximize=False)
        return
    torch._foreach_lerp_(ms, grads, 1.0 - beta_1)
    torch._foreach_lerp_(vs, torch._foreach_mul(grads, grads), 1.0 - beta_2)
    if vhats:
        torch._foreach_maximum_(vhats, vs)
        vs = vhats
    denom = torch._foreach_sqrt(vs)
    torch._foreach_add_(denom, epsilon)
    _addcdiv_scaled_(params, ms, denom, -alpha)


@torch.no_grad()
def rmsprop_update(params, grads, velocities, momentums, average_grads, lr, rho, momentum, epsilon):
    """Keras RMSprop: ``v = rho v + (1 - rho) g^2``; step ``lr * g / sqrt(v + eps)`` (centered: ``v - a^2 + eps``).

    With momentum, ``mom = momentum * mom + step`` and ``p -= mom``. torch.optim.RMSprop puts epsilon outside
    the square root and keeps the learning rate out of its momentum buffer, so it is not used.
    """
    torch._foreach_mul_(velocities, rho)
    torch._foreach_addcmul_(velocities, grads, grads, value=1.0 - rho)
    if average_grads:
        torch._foreach_mul_(average_grads, rho)
        torch._foreach_add_(average_grads, grads, alpha=1.0 - rho)
        denom = torch._foreach_addcmul(velocities, average_grads, average_grads, value=-1.0)
        torch._foreach_add_(denom, epsilon)
    else:
        denom = torch._foreach_add(velocities, epsilon)
    torch._foreach_rsqrt_(denom)
    torch._foreach_mul_(denom, grads)  # g / sqrt(denominator)
    if momentums:
        torch._foreach_mul_(momentums, momentum)
        _add_scaled_(momentums, denom, lr)
        torch._foreach_sub_(params, momentums)
    else:
        _add_scaled_(params, denom, -lr)


@torch.no_grad()
def adagrad_update(params, grads, accumulators, lr, epsilon):
    """Keras Adagrad: ``acc += g^2``; ``p -= lr * g / sqrt(acc + eps)`` (torch's has ``sqrt(acc) + eps``)."""
    torch._foreach_addcmul_(accumulators, grads, grads)
    denom = torch._foreach_add(accumulators, epsilon)
    torch._foreach_sqrt_(denom)
    _addcdiv_scaled_(params, grads, denom, -lr)


@torch.no_grad()
def adadelta_update(params, grads, accumulated_grads, accumulated_deltas, lr, rho, epsilon):
    """Keras Adadelta: ``Eg = rho Eg + (1-rho) g^2``; ``d = sqrt(Ed + eps) / sqrt(Eg + eps) * g``;
    ``Ed = rho Ed + (1-rho) d^2``; ``p -= lr * d``. The same mathematics as torch.optim.Adadelta's."""
    torch._foreach_mul_(accumulated_grads, rho)
    torch._foreach_addcmul_(accumulated_grads, grads, grads, value=1.0 - rho)
    delta = torch._foreach_add(accumulated_deltas, epsilon)
    torch._foreach_sqrt_(delta)
    denom = torch._foreach_add(accumulated_grads, epsilon)
    torch._foreach_sqrt_(denom)
    torch._foreach_div_(delta, denom)
    torch._foreach_mul_(delta, grads)
    torch._foreach_mul_(accumulated_deltas, rho)
    torch._foreach_addcmul_(accumulated_deltas, delta, delta, value=1.0 - rho)
    _add_scaled_(params, delta, -lr)


@torch.no_grad()
def adamax_update(params, grads, ms, us, step_size, beta_1, beta_2, epsilon):
    """Keras Adamax: ``m += (g - m)(1 - b1)``; ``u = max(b2 u, |g|)``; ``p -= step_size * m / (u + eps)``
    with ``step_size = lr / (1 - b1^t)`` (torch's adds epsilon to ``|g|`` inside the max instead)."""
    torch._foreach_lerp_(ms, grads, 1.0 - beta_1)
    torch._foreach_mul_(us, beta_2)
    torch._foreach_maximum_(us, torch._foreach_abs(grads))
    denom = torch._foreach_add(us, epsilon)
    _addcdiv_scaled_(params, ms, denom, -step_size)


@torch.no_grad()
def nadam_update(params, grads, ms, vs, lr, beta_1, beta_2, epsilon, m_scale, g_scale, v_divisor):
    """Keras Nadam: Adam's moments, then ``m_hat = m_scale * m + g_scale * g``, ``v_hat = v / v_divisor`` and
    ``p -= lr * m_hat / (sqrt(v_hat) + eps)``. The scales come from Keras' momentum schedule
    ``u_t = b1 (1 - 0.5 * 0.96^t)``, which differs from torch.optim.NAdam's ``0.96^(0.004 t)``."""
    torch._foreach_lerp_(ms, grads, 1.0 - beta_1)
    torch._foreach_lerp_(vs, torch._foreach_mul(grads, grads), 1.0 - beta_2)
    m_hat = torch._foreach_mul(ms, m_scale)
    _add_scaled_(m_hat, grads, g_scale)
    denom = torch._foreach_div(vs, v_divisor)
    torch._foreach_sqrt_(denom)
    torch._foreach_add_(denom, epsilon)
    _addcdiv_scaled_(params, m_hat, denom, -lr)


@torch.no_grad()
def ftrl_update(params, grads, accumulators, linears, lr, lr_power, l1, l2, l2_shrinkage):
    """Keras Ftrl (``l2`` already includes ``beta / (2 lr)``); torch.optim has no FTRL."""
    grad_for_linear = torch._foreach_add(grads, params, alpha=2.0 * l2_shrinkage) if l2_shrinkage else grads
    new_accumulators = torch._foreach_addcmul(accumulators, grads, grads)
    new_power = torch._foreach_pow(new_accumulators, -lr_power)
    sigma = torch._foreach_sub(new_power, torch._foreach_pow(accumulators, -lr_power))
    torch._foreach_mul_(sigma, params)
    torch._foreach_add_(linears, grad_for_linear)
    torch._foreach_add_(linears, torch._foreach_div(sigma, lr), alpha=-1.0)
    quadratic = torch._foreach_div(new_power, lr)
    torch._foreach_add_(quadratic, 2.0 * l2)
    new_params = torch._foreach_clamp_min(linears, -l1)
    torch._foreach_clamp_max_(new_params, l1)
    torch._foreach_sub_(new_params, linears)
    torch._foreach_div_(new_params, quadratic)
    torch._foreach_copy_(params, new_params)
    torch._foreach_copy_(accumulators, new_accumulators)


@torch.no_grad()
def lion_update(params, grads, ms, lr, beta_1, beta_2):
    """Keras Lion: ``p -= lr * sign(b1 m + (1 - b1) g)``; ``m = b2 m + (1 - b2) g``."""
    direction = torch._foreach_mul(ms, beta_1)
    torch._foreach_add_(direction, grads, alpha=1.0 - beta_1)
    torch._foreach_sign_(direction)
    _add_scaled_(params, direction, -lr)
    torch._foreach_mul_(ms, beta_2)
    torch._foreach_add_(ms, grads, alpha=1.0 - beta_2)


@torch.no_grad()
def lamb_update(params, grads, ms, vs, lr, beta_1, beta_2, epsilon, bias_correction_1, bias_correction_2):
    """Keras 3 Lamb: Adam's moments (``m += (g - m)(1 - b1)``, ``v += (g^2 - v)(1 - b2)``), the Adam direction
    ``u = (m / c1) / (sqrt(v / c2) + eps)`` with ``c = 1 - b^t``, then a step scaled per variable by its trust
    ratio: ``p -= (||p|| / ||u||) * lr * u`` (ratio 1 when either norm is 0). torch.optim has no LAMB."""
    torch._foreach_lerp_(ms, grads, 1.0 - beta_1)
    torch._foreach_lerp_(vs, torch._foreach_mul(grads, grads), 1.0 - beta_2)
    denom = torch._foreach_div(vs, bias_correction_2)
    torch._foreach_sqrt_(denom)
    torch._foreach_add_(denom, epsilon)
    update = torch._foreach_div(ms, bias_correction_1)
    torch._foreach_div_(update, denom)
    weight_norms = torch.stack(torch._foreach_norm(params))
    update_norms = torch.stack(torch._foreach_norm(update))
    trusted = (weight_norms > 0) & (update_norms > 0)
    ratios = torch.where(trusted, weight_norms / torch.where(trusted, update_norms, 1.0), 1.0)
    torch._foreach_mul_(update, list((ratios * -lr).to(update[0].dtype).unbind()))
    torch._foreach_add_(params, update)


@torch.no_grad()
def adafactor_update(params, grads, rs, cs, vs, rho_t, beta_2_t, epsilon_1, epsilon_2, clip_threshold):
    """Keras Adafactor. ``g2 = g^2 + epsilon_1``; a variable of rank >= 2 keeps the row and column means of
    ``g2`` (``r = b r + (1 - b) mean(g2, -1)``, ``c = b c + (1 - b) mean(g2, -2)``) and
    ``v = r / mean(r) (outer) c``; a smaller one ``v = b v + (1 - b) g2`` (``rs[i]``/``cs[i]`` None). Then
    ``u = g / sqrt(v)``, ``u /= max(1, rms(u) / clip_threshold)`` and ``p -= max(epsilon_2, rms(p)) * rho_t * u``,
    ``rms(p)`` taken before the update. ``rho_t``/``beta_2_t`` are numbers or 0-d tensors (compiled step).
    The factored moments need a reduction per variable, so this loops over the variables."""
    one_minus_beta = 1.0 - beta_2_t
    for p, g, r, c, v in zip(params, grads, rs, cs, vs):
        alpha = torch.clamp(p.square().mean().sqrt(), min=epsilon_2) * rho_t
        g2 = g.square().add_(epsilon_1)
        if r is not None:
            r.mul_(beta_2_t).add_(g2.mean(dim=-1) * one_minus_beta)
            c.mul_(beta_2_t).add_(g2.mean(dim=-2) * one_minus_beta)
            v.copy_((r / r.mean(dim=-1, keepdim=True)).unsqueeze(-1) * c.unsqueeze(-2))
        else:
            v.mul_(beta_2_t).add_(g2 * one_minus_beta)
        u = g * v.rsqrt()
        u.div_(torch.clamp(u.square().mean().sqrt() / clip_threshold, min=1.0))
        p.sub_(u * alpha)


__all__ = ["optimizer_slot", "optimizer_host_scalar", "optimizer_scalar_value", "optimizer_scalar_assign",
           "optimizer_fused_layout", "clip_gradients_by_norm", "clip_gradients_by_global_norm",
           "clip_gradients_by_value", "decay_weights", "ema_update", "copy_values", "sgd_update",
           "adam_update", "rmsprop_update", "adagrad_update", "adadelta_update", "adamax_update", "nadam_update",
           "ftrl_update", "lion_update", "lamb_update", "adafactor_update", "optimizer_step_scalars", "is_row_sparse", "densify_gradients",
           "sgd_sparse_update", "rmsprop_sparse_update", "adagrad_sparse_update"]
