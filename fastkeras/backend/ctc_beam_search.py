"""CTC prefix beam search on NumPy log-probabilities: the decoder behind ``K.ctc_decode(greedy=False)``.

Keras 2 decodes with TensorFlow's ``ctc_beam_search_decoder`` (merge_repeated on): the last class is the blank,
each beam is a label sequence (a prefix) with two log-probabilities, of the alignments that end in a blank and of
those that end in its last label; after every time step the ``beam_width`` most probable prefixes are kept. A
prefix gains probability from itself (a blank, or its last label again) and from its parent prefix when the
parent is among the kept beams (the new label; after a blank only, when the label repeats the parent's last
one). The result is the ``top_paths`` best prefixes with their total log-probabilities, and, as TensorFlow's
``merge_repeated`` does, each printed with consecutive equal labels merged.

Engine-independent: every engine's ``ctc_decode`` hands this its probabilities as NumPy arrays.
"""
import numpy as np

_NEG_INF = -np.inf


def decode_one(log_probs, beam_width, top_paths):
    """The ``top_paths`` best label sequences of one sample and their log-probabilities.

    ``log_probs``: (time, classes) log-probabilities of the sample's valid steps, blank last.
    Returns a list of (labels tuple, log-probability), best first.
    """
    steps, classes = log_probs.shape
    blank = classes - 1
    labels = np.arange(blank)
    # The kept beams: their prefixes, and parallel arrays of log P(ends in blank), log P(ends in a label).
    prefixes = [()]
    p_blank = np.array([0.0])
    p_label = np.array([_NEG_INF])
    for t in range(steps):
        lp = log_probs[t]
        total = np.logaddexp(p_blank, p_label)
        index = {prefix: i for i, prefix in enumerate(prefixes)}
        last = np.array([prefix[-1] if prefix else -1 for prefix in prefixes])

        # Each kept beam, one step on: a blank keeps it whole; its last label again extends the same run.
        new_blank = total + lp[blank]
        new_label = np.where(last >= 0, p_label + lp[np.maximum(last, 0)], _NEG_INF)
        # ... and it also grows from its parent, when the parent is kept: the parent plus this label.
        for i, prefix in enumerate(prefixes):
            parent = index.get(prefix[:-1]) if prefix else None
            if parent is not None:
                came_from = p_blank[parent] if prefixes[parent] and prefixes[parent][-1] == prefix[-1] \
                    else total[parent]
                new_label[i] = np.logaddexp(new_label[i], came_from + lp[prefix[-1]])

        # Children not kept yet: every beam plus every label (a repeated label only after a blank).
        came_from = np.where(labels[None, :] == last[:, None], p_blank[:, None], total[:, None])
        child_label = came_from + lp[:blank][None, :]
        for prefix in prefixes:  # a child that is already a beam was updated above, not created again
            parent = index.get(prefix[:-1]) if prefix else None
            if parent is not None:
                child_label[parent, prefix[-1]] = _NEG_INF

        # Keep the beam_width most probable of the updated beams and the new children.
        kept_total = np.logaddexp(new_blank, new_label)
        scores = np.concatenate([kept_total, child_label.ravel()])
        keep = min(beam_width, int(np.isfinite(scores).sum()) or 1)
        best = np.argpartition(-scores, keep - 1)[:keep] if keep < scores.size else np.arange(scores.size)
        best = best[np.argsort(-scores[best], kind="stable")]
        n_beams = len(prefixes)
        next_prefixes, next_blank, next_label = [], [], []
        for j in best:
            if j < n_beams:
                next_prefixes.append(prefixes[j])
                next_blank.append(new_blank[j])
                next_label.append(new_label[j])
            else:
                parent, label = divmod(int(j - n_beams), blank)
                next_prefixes.append(prefixes[parent] + (label,))
                next_blank.append(_NEG_INF)
                next_label.append(child_label[parent, label])
        prefixes, p_blank, p_label = next_prefixes, np.array(next_blank), np.array(next_label)

    totals = np.logaddexp(p_blank, p_label)
    order = np.argsort(-totals, kind="stable")[:top_paths]
    return [(_merge_repeats(prefixes[i]), float(totals[i])) for i in order]


def _merge_repeats(labels):
    """Consecutive equal labels as one (TensorFlow's merge_repeated for beam search)."""
    return tuple(label for k, label in enumerate(labels) if k == 0 or label != labels[k - 1])


def beam_search_decode(probs, lengths, beam_width, top_paths, epsilon):
    """Keras 2 ``ctc_decode(greedy=False)`` on NumPy: (list of ``top_paths`` int64 arrays (samples, time) padded
    with -1, float32 log-probabilities (samples, top_paths)).

    ``probs``: (samples, time, classes) probabilities (a softmax output), blank last; ``lengths``: (samples,).
    Like Keras, the decoder sees ``log(probs + epsilon)``, normalised over the classes at each step.
    """
    samples, steps, _ = probs.shape
    if top_paths > beam_width:
        raise ValueError(f"K.ctc_decode: top_paths ({top_paths}) must not exceed beam_width ({beam_width}).")
    logits = np.log(probs.astype(np.float64) + epsilon)
    log_probs = logits - np.logaddexp.reduce(logits, axis=-1, keepdims=True)
    decoded = [np.full((samples, steps), -1, dtype=np.int64) for _ in range(top_paths)]
    scores = np.full((samples, top_paths), _NEG_INF, dtype=np.float32)
    for s in range(samples):
        length = int(min(max(int(lengths[s]), 0), steps))
        for k, (labels, score) in enumerate(decode_one(log_probs[s, :length], beam_width, top_paths)):
            decoded[k][s, :len(labels)] = labels
            scores[s, k] = score
    return decoded, scores
