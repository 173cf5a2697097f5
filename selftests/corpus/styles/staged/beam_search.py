"""Decoding with a priority queue (heapq), itertools.product and a staged beam."""
import heapq
import itertools


def _score(model, tokens):
    total = 0.0
    for i, tok in enumerate(tokens):
        total += model[" ".join(tokens[:i])][tok]
    return total


def greedy_decode(model, steps):
    tokens = []
    logps = []
    for _ in range(steps):
        dist = model[" ".join(tokens)]
        tok, lp = max(dist.items(), key=lambda kv: kv[1])
        tokens.append(tok)
        logps.append(lp)
    return tokens, float(sum(logps))


def exhaustive_decode(model, steps):
    vocab = []
    for dist in model.values():
        for tok in dist:
            if tok not in vocab:
                vocab.append(tok)
    best_tokens, best_score = None, None
    for seq in itertools.product(vocab, repeat=steps):
        seq = list(seq)
        # a sequence is possible only if every prefix is in the model with that next token
        if any(seq[i] not in model.get(" ".join(seq[:i]), {}) for i in range(steps)):
            continue
        s = _score(model, seq)
        if best_score is None or s > best_score:
            best_tokens, best_score = seq, s
    return best_tokens, best_score


def beam_search(model, beam_size, steps):
    if not beam_size >= 1:
        raise ValueError(f"beam_size must be at least 1, got {beam_size}")
    beam = [(0.0, ())]
    for _ in range(steps):
        expanded = []
        for score, prefix in beam:
            dist = model[" ".join(prefix)]
            for tok, lp in dist.items():
                expanded.append((score + lp, prefix + (tok,)))
        beam = heapq.nlargest(beam_size, expanded, key=lambda c: c[0])
    score, prefix = max(beam, key=lambda c: c[0])
    return list(prefix), score


def decoder_inputs(target, generated, training):
    fed = target if training else generated
    shifted = list(fed[:-1]) if len(fed) else []
    shifted.insert(0, "<sos>")
    return shifted
