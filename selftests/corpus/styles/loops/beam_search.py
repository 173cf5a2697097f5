"""Greedy, exhaustive and beam-search decoding -- explicit loops, no library helpers."""


def _dist(model, tokens):
    return model[" ".join(tokens)]


def greedy_decode(model, steps):
    tokens = []
    score = 0.0
    for _ in range(steps):
        dist = _dist(model, tokens)
        best_tok, best_lp = None, None
        for tok in dist:
            if best_lp is None or dist[tok] > best_lp:
                best_tok, best_lp = tok, dist[tok]
        tokens.append(best_tok)
        score += best_lp
    return tokens, score


def exhaustive_decode(model, steps):
    best = [None, None]

    def explore(prefix, score):
        if len(prefix) == steps:
            if best[1] is None or score > best[1]:
                best[0], best[1] = list(prefix), score
            return
        dist = _dist(model, prefix)
        for tok in dist:
            explore(prefix + [tok], score + dist[tok])

    explore([], 0.0)
    return best[0], best[1]


def beam_search(model, beam_size, steps):
    if beam_size < 1:
        raise ValueError("beam_size must be >= 1")
    beam = [([], 0.0)]
    for _ in range(steps):
        candidates = []
        for prefix, score in beam:
            dist = _dist(model, prefix)
            for tok in dist:
                candidates.append((prefix + [tok], score + dist[tok]))
        # selection sort of the beam_size best candidates
        kept = []
        remaining = list(candidates)
        while remaining and len(kept) < beam_size:
            bi = 0
            for i in range(1, len(remaining)):
                if remaining[i][1] > remaining[bi][1]:
                    bi = i
            kept.append(remaining.pop(bi))
        beam = kept
    best = beam[0]
    for cand in beam:
        if cand[1] > best[1]:
            best = cand
    return best[0], best[1]


def decoder_inputs(target, generated, training):
    if training:
        seq = target
    else:
        seq = generated
    out = ["<sos>"]
    for i in range(len(seq) - 1):
        out.append(seq[i])
    return out
