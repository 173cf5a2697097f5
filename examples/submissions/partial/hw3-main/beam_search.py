"""Greedy, exhaustive and beam-search decoding over a prefix->next-token model."""
import itertools


def _next(model, tokens):
    return model[" ".join(tokens)]


def greedy_decode(model, steps):
    tokens, score = [], 0.0
    for _ in range(steps):
        dist = _next(model, tokens)
        tok = max(dist, key=dist.get)
        tokens.append(tok)
        score += dist[tok]
    return tokens, score


def exhaustive_decode(model, steps):
    best = ([], float("-inf"))
    frontier = [([], 0.0)]
    for _ in range(steps):
        frontier = [(toks + [t], s + lp) for toks, s in frontier
                    for t, lp in _next(model, toks).items()]
    for toks, s in frontier:
        if s > best[1]:
            best = (toks, s)
    return best


def beam_search(model, beam_size, steps):
    if beam_size < 1:
        raise ValueError("beam_size must be at least 1")
    beam = [([], 0.0)]
    for _ in range(steps):
        candidates = [(toks + [t], s + lp) for toks, s in beam
                      for t, lp in _next(model, toks).items()]
        candidates.sort(key=lambda c: -c[1])
        beam = candidates[:beam_size]
    return max(beam, key=lambda c: c[1])


def decoder_inputs(target, generated, training):
    source = target if training else generated
    return ["<sos>"] + list(source)[:-1]
