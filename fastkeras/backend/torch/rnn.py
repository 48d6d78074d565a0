"""Recurrence on PyTorch: Keras 2's ``K.rnn`` step loop and the fused LSTM/GRU/SimpleRNN sequence kernels.

``rnn`` runs any step function over the time axis with Keras' masking rules.
``lstm_sequence``, ``gru_sequence`` and ``simple_rnn_sequence`` take the Keras
weights as they are stored (``kernel`` ``(input_dim, gates * units)``, gate
order i,f,c,o for LSTM and z,r,h for GRU) and run the whole sequence in one
torch kernel (cuDNN on CUDA) when no mask is given; with a mask they run a step
loop with the input projection computed once for all steps. Both give Keras'
numbers: masked steps keep the previous output and states.
"""
import warnings

import torch

from fastkeras.backend.torch.core import convert_to_tensor

# The weights are Keras-layout Parameters handed to cuDNN as fresh (transposed, reordered) tensors each call,
# so cuDNN packs them into its buffer every time: that copy is the intended cost, not a misuse to warn about.
warnings.filterwarnings("ignore", message="RNN module weights are not part of single contiguous chunk of memory")


def _check_sequence(x, what="inputs"):
    if x.dim() < 3:
        raise ValueError(f"K.rnn: {what} must have rank 3 or more (batch, time, ...), "
                         f"received shape {tuple(x.shape)}.")


def _step_mask(mask, time_axis):
    """A (batch, time) boolean mask (a trailing size-1 axis allowed) split into per-step (batch,) masks."""
    mask = convert_to_tensor(mask)
    if mask.dtype != torch.bool:
        mask = mask.bool()
    if mask.dim() == 3 and mask.shape[-1] == 1:
        mask = mask.squeeze(-1)
    if mask.dim() != 2:
        raise ValueError(f"K.rnn: the mask must have shape (batch, time), received shape {tuple(mask.shape)}.")
    return mask.unbind(time_axis)


def _like(mask_t, value):
    """(batch,) mask reshaped to broadcast against ``value`` (batch, ...)."""
    return mask_t.view(mask_t.shape + (1,) * (value.dim() - 1))


def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None, constants=None, unroll=False,
        input_length=None, time_major=False, zero_output_for_mask=False, return_all_outputs=True):
    """Iterates ``step_function(input_t, states + constants) -> (output_t, new_states)`` over time.

    ``inputs`` is ``(batch, time, ...)`` (``(time, batch, ...)`` with ``time_major``), or a list of such
    tensors. With ``mask`` (``(batch, time)``, time-major when ``time_major``), a masked step keeps the
    previous states and repeats the previous output (zeros before the first unmasked step, or always zeros
    with ``zero_output_for_mask``). ``go_backwards`` walks time in reverse and returns the outputs in the
    order they were computed. ``unroll`` and ``input_length`` change nothing here: the loop is eager.

    Returns ``(last_output, outputs, new_states)``; ``outputs`` holds every step (or only the last one,
    with a time axis of 1, when ``return_all_outputs`` is False).
    """
    time_axis = 0 if time_major else 1
    nested = isinstance(inputs, (list, tuple))
    flat = [convert_to_tensor(x) for x in (inputs if nested else [inputs])]
    for x in flat:
        _check_sequence(x)
    per_input_steps = [x.unbind(time_axis) for x in flat]
    n_steps = len(per_input_steps[0])
    if n_steps == 0:
        raise ValueError("K.rnn: the inputs have no timesteps (time dimension of size 0).")
    order = range(n_steps - 1, -1, -1) if go_backwards else range(n_steps)
    step_masks = _step_mask(mask, time_axis) if mask is not None else None
    states = tuple(initial_states)
    extra = tuple(constants) if constants else ()
    if mask is not None and not states:
        raise ValueError("K.rnn: a mask needs at least one state to carry over masked steps.")

    outputs = []
    previous = zeros = None
    nested_output = None  # the type (tuple or list) of a cell's several outputs (keras.io's NestedCell)
    for t in order:
        step_input = [steps[t] for steps in per_input_steps] if nested else per_input_steps[0][t]
        output, new_states = step_function(step_input, states + extra)
        new_states = tuple(new_states) if isinstance(new_states, (list, tuple)) else (new_states,)
        if isinstance(output, (list, tuple)):
            nested_output = type(output)
        output = list(output) if nested_output else [output]
        if step_masks is not None:
            keep = step_masks[t]
            if zeros is None:
                zeros = [torch.zeros_like(o) for o in output]
            fill = zeros if previous is None or zero_output_for_mask else previous
            output = [torch.where(_like(keep, o), o, f) for o, f in zip(output, fill)]
            new_states = tuple(torch.where(_like(keep, new), new, old) for new, old in zip(new_states, states))
            previous = output
        states = new_states
        if return_all_outputs or not outputs:
            outputs.append(output)
        else:
            outputs[0] = output
    last_output = outputs[-1]
    if return_all_outputs:
        stacked = [torch.stack(steps, time_axis) for steps in zip(*outputs)]
    else:
        stacked = [o.unsqueeze(time_axis) for o in last_output]
    if nested_output:
        return nested_output(last_output), nested_output(stacked), list(states)
    return last_output[0], stacked[0], list(states)


# ---- fused kernels ------------------------------------------------------------------------------------------

_ZEROS = {}


def _zeros(n, like):
    """A cached zero vector (a normal tensor even when first asked for under inference mode)."""
    key = (n, like.dtype, like.device)
    z = _ZEROS.get(key)
    if z is None:
        with torch.inference_mode(False):
            z = torch.zeros(n, dtype=like.dtype, device=like.device)
        _ZEROS[key] = z
    return z


def _blocks(w, order, axis):
    """Gate blocks of ``w`` along ``axis`` reordered (Keras order -> torch order)."""
    parts = w.chunk(len(order), axis)
    return torch.cat([parts[i] for i in order], axis)


def _train():
    # cuDNN keeps the workspace its backward pass needs only in "train" mode; skip it when nothing will
    # be differentiated (predict, no_grad).
    return torch.is_grad_enabled()


def _weight(w):
    """A transposed Keras kernel as torch's (gates * units, input) weight: cuDNN packs its weights with
    ``view_as``, which needs contiguous tensors; the CPU kernels take the strided view as it is."""
    w = w.t()
    return w.contiguous() if w.is_cuda else w


def _prepare_sequence(inputs, time_axis, go_backwards, input_dropout):
    inputs = convert_to_tensor(inputs)
    _check_sequence(inputs)
    if input_dropout is not None:
        # One mask per sequence, as the cell applies it at every step.
        inputs = inputs * input_dropout.unsqueeze(time_axis)
    if go_backwards:
        inputs = inputs.flip(time_axis)
    return inputs


def _finish(outputs, last, time_axis, return_sequences):
    return last, (outputs if return_sequences else last.unsqueeze(time_axis))


def _cpu_float16(x):
    """True where ``torch.lstm`` would run in float16 on the CPU (a float16 input, or float16 autocasting as in
    mixed_float16 models): the CPU's fused LSTM (oneDNN) has no such kernel ("could not create a primitive
    descriptor"), so those take the step loop, the same equations."""
    if x.device.type != "cpu":
        return False
    return x.dtype == torch.float16 or (torch.is_autocast_enabled("cpu")
                                        and torch.get_autocast_dtype("cpu") == torch.float16)


def lstm_sequence(inputs, initial_h, initial_c, kernel, recurrent_kernel, bias, mask=None, go_backwards=False,
                  time_major=False, return_sequences=True, zero_output_for_mask=False, input_dropout=None):
    """A Keras LSTM (tanh, sigmoid gates, with bias) over a whole sequence.

    Without a mask it is one ``torch.lstm`` call (cuDNN on CUDA): Keras' gate order i,f,c,o is torch's
    i,f,g,o, ``weight_ih = kernel.T``, ``weight_hh = recurrent_kernel.T``, the Keras bias goes to ``b_ih``
    and ``b_hh`` is zero. ``input_dropout`` is a (batch, input_dim) mask applied at every step.
    Returns ``(last_output, outputs, h, c)``.
    """
    time_axis = 0 if time_major else 1
    x = _prepare_sequence(inputs, time_axis, go_backwards, input_dropout)
    if mask is None and not _cpu_float16(x):
        params = [_weight(kernel), _weight(recurrent_kernel), bias, _zeros(bias.shape[0], bias)]
        hx = (initial_h.unsqueeze(0), initial_c.unsqueeze(0))
        outputs, h, c = torch.lstm(x, hx, params, True, 1, 0.0, _train(), False, not time_major)
        last, outputs = _finish(outputs, h[0], time_axis, return_sequences)
        return last, outputs, h[0], c[0]
    if go_backwards and mask is not None:
        mask = convert_to_tensor(mask).flip(time_axis)
    projected = torch.matmul(x, kernel) + bias

    def step(z_x, states):
        h_prev, c_prev = states
        z = torch.addmm(z_x, h_prev, recurrent_kernel)
        i, f, g, o = z.chunk(4, 1)
        c = torch.sigmoid(f) * c_prev + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        return h, (h, c)

    last, outputs, (h, c) = rnn(step, projected, [initial_h, initial_c], mask=mask, time_major=time_major,
                                zero_output_for_mask=zero_output_for_mask, return_all_outputs=return_sequences)
    return last, outputs, h, c


def gru_sequence(inputs, initial_h, kernel, recurrent_kernel, bias, mask=None, go_backwards=False,
                 time_major=False, return_sequences=True, zero_output_for_mask=False, input_dropout=None):
    """A Keras GRU with ``reset_after=True`` (tanh, sigmoid gates, bias of shape (2, 3 * units)).

    Without a mask it is one ``torch.gru`` call (cuDNN on CUDA): Keras' gate blocks z,r,h become torch's
    r,z,n, ``bias[0]`` is ``b_ih`` and ``bias[1]`` is ``b_hh``; torch's
    ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))`` and ``h' = (1 - z) * n + z * h`` are Keras'
    reset-after equations. Returns ``(last_output, outputs, h)``.
    """
    time_axis = 0 if time_major else 1
    x = _prepare_sequence(inputs, time_axis, go_backwards, input_dropout)
    if mask is None:
        order = (1, 0, 2)
        params = [_blocks(kernel.t(), order, 0), _blocks(recurrent_kernel.t(), order, 0),
                  _blocks(bias[0], order, 0), _blocks(bias[1], order, 0)]
        outputs, h = torch.gru(x, initial_h.unsqueeze(0), params, True, 1, 0.0, _train(), False, not time_major)
        last, outputs = _finish(outputs, h[0], time_axis, return_sequences)
        return last, outputs, h[0]
    if go_backwards:
        mask = convert_to_tensor(mask).flip(time_axis)
    projected = torch.matmul(x, kernel) + bias[0]
    recurrent_bias = bias[1]

    def step(x_proj, states):
        h_prev = states[0]
        h_proj = torch.addmm(recurrent_bias, h_prev, recurrent_kernel)
        x_z, x_r, x_h = x_proj.chunk(3, 1)
        h_z, h_r, h_h = h_proj.chunk(3, 1)
        z = torch.sigmoid(x_z + h_z)
        r = torch.sigmoid(x_r + h_r)
        candidate = torch.tanh(x_h + r * h_h)
        h = z * h_prev + (1 - z) * candidate
        return h, (h,)

    last, outputs, (h,) = rnn(step, projected, [initial_h], mask=mask, time_major=time_major,
                              zero_output_for_mask=zero_output_for_mask, return_all_outputs=return_sequences)
    return last, outputs, h


def simple_rnn_sequence(inputs, initial_h, kernel, recurrent_kernel, bias, activation="tanh", go_backwards=False,
                        time_major=False, return_sequences=True, input_dropout=None):
    """A Keras SimpleRNN (``activation`` 'tanh' or 'relu', with bias, no mask) as one ``torch.rnn_tanh`` /
    ``torch.rnn_relu`` call. Returns ``(last_output, outputs, h)``."""
    time_axis = 0 if time_major else 1
    x = _prepare_sequence(inputs, time_axis, go_backwards, input_dropout)
    params = [_weight(kernel), _weight(recurrent_kernel), bias, _zeros(bias.shape[0], bias)]
    kernel_fn = torch.rnn_tanh if activation == "tanh" else torch.rnn_relu
    outputs, h = kernel_fn(x, initial_h.unsqueeze(0), params, True, 1, 0.0, _train(), False, not time_major)
    last, outputs = _finish(outputs, h[0], time_axis, return_sequences)
    return last, outputs, h[0]


# ---- recurrent state ----------------------------------------------------------------------------------------

def state_snapshot(x):
    """``x`` cut from the autograd graph, kept as a stateful layer's state for the next batch.

    A state computed under ``torch.inference_mode`` (``predict``) is cloned into a normal tensor so that a
    later training step may use it.
    """
    x = x.detach()
    if x.is_inference():
        with torch.inference_mode(False):
            x = x.clone()
    return x


def any_nonzero(tensors):
    """A boolean scalar tensor: does any of ``tensors`` hold a non-zero value? (No host sync.)"""
    flags = [t.ne(0).any() for t in tensors]
    return torch.stack(flags).any() if len(flags) > 1 else flags[0]
