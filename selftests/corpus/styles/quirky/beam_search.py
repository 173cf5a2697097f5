"""beam search -- a Hypothesis helper class, recursion with memoisation, tuples where lists are asked."""
from dataclasses import dataclass, field
from functools import lru_cache


@dataclass(order=True)
class Hypothesis:
    neg_score: float
    tokens: tuple = field(compare=False)

    @property
    def score(self):
        return -self.neg_score

    def extend(self, model):
        dist = model[" ".join(self.tokens)]
        return [Hypothesis(self.neg_score - lp, self.tokens + (tok,)) for tok, lp in dist.items()]


def greedy_decode(model, steps):
    h = Hypothesis(0.0, ())
    for _ in range(steps):
        h = min(h.extend(model))
    return [h.tokens, h.score]


def exhaustive_decode(model, steps):
    @lru_cache(maxsize=None)
    def best_completion(prefix):
        """(score of the best completion of prefix, its tokens)"""
        if len(prefix) == steps:
            return 0.0, ()
        best = None
        for tok, lp in model[" ".join(prefix)].items():
            s, rest = best_completion(prefix + (tok,))
            if best is None or lp + s > best[0]:
                best = (lp + s, (tok,) + rest)
        return best

    score, tokens = best_completion(())
    return list(tokens), score


def beam_search(model, beam_size, steps):
    if int(beam_size) < 1:
        raise ValueError("beam size below 1")
    beam = [Hypothesis(0.0, ())]
    for step in range(steps):
        pool = [child for h in beam for child in h.extend(model)]
        beam = sorted(pool)[:beam_size]
    best = min(beam)
    return (best.tokens, best.score)


def decoder_inputs(target, generated, training):
    seq = target if training else generated
    return ("<sos>", *seq[:-1])


if __name__ == "__main__":
    import math
    toy = {"": {"a": math.log(0.6), "b": math.log(0.4)},
           "a": {"a": math.log(0.5), "b": math.log(0.5)}, "b": {"a": math.log(0.9), "b": math.log(0.1)}}
    print(greedy_decode(toy, 2), exhaustive_decode(toy, 2), beam_search(toy, 2, 2))
