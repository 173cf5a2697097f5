"""The reference beam_search.py, checked on the course's example model and by brute force."""
import copy
import itertools
import math

import numpy as np
import pytest

from .inputs import call_without_mutation
from reference import beam_search as bs
from reference.beam_search import EXAMPLE_MODEL

WORDS = ["deep", "learn"]


def _score(model, tokens):
    return sum(model[" ".join(tokens[:i])][tokens[i]] for i in range(len(tokens)))


def _all_sequences(model, steps):
    """Every sequence with its score, by brute force (fixed vocabulary)."""
    vocab = sorted(model[""])
    return {seq: _score(model, list(seq)) for seq in itertools.product(vocab, repeat=steps)}


def _random_model(rng, vocab, steps):
    model = {}
    for length in range(steps):
        for prefix in itertools.product(vocab, repeat=length):
            p = rng.dirichlet(np.ones(len(vocab)))
            model[" ".join(prefix)] = {t: float(np.log(q)) for t, q in zip(vocab, p)}
    return model


# ---- the example model ------------------------------------------------------------


def test_example_model_has_every_prefix_of_length_0_to_2_over_deep_and_learn():
    prefixes = {" ".join(p) for n in range(3) for p in itertools.product(WORDS, repeat=n)}
    assert set(EXAMPLE_MODEL) == prefixes
    assert all(sorted(dist) == WORDS for dist in EXAMPLE_MODEL.values())


def test_example_model_distributions_are_normalised_with_two_decimal_probabilities():
    for dist in EXAMPLE_MODEL.values():
        probs = [math.exp(lp) for lp in dist.values()]
        assert sum(probs) == pytest.approx(1.0, abs=1e-12)
        assert all(p == pytest.approx(round(p, 2), abs=1e-12) for p in probs)


def test_example_model_has_no_ties_anywhere_a_search_compares():
    for dist in EXAMPLE_MODEL.values():
        assert len(set(dist.values())) == len(dist)
    for steps in (1, 2, 3):
        scores = sorted(_all_sequences(EXAMPLE_MODEL, steps).values())
        assert min(np.diff(scores)) > 1e-3


def test_greedy_decode_on_the_example_gives_deep_deep_deep():
    tokens, score = call_without_mutation(bs.greedy_decode, EXAMPLE_MODEL, 3)
    assert tokens == ["deep", "deep", "deep"]
    assert round(score, 2) == -1.08
    assert type(score) is float


def test_exhaustive_decode_on_the_example_gives_learn_learn_deep():
    tokens, score = call_without_mutation(bs.exhaustive_decode, EXAMPLE_MODEL, 3)
    assert tokens == ["learn", "learn", "deep"]
    assert round(score, 2) == -0.97
    assert type(score) is float


def test_beam_search_with_two_beams_on_the_example_finds_the_exhaustive_answer():
    tokens, score = call_without_mutation(bs.beam_search, EXAMPLE_MODEL, 2, 3)
    assert (tokens, round(score, 2)) == (["learn", "learn", "deep"], -0.97)


def test_beam_search_with_one_beam_on_the_example_is_greedy():
    assert bs.beam_search(EXAMPLE_MODEL, 1, 3) == bs.greedy_decode(EXAMPLE_MODEL, 3)


def test_example_scores_are_the_sums_of_the_log_probabilities():
    assert bs.greedy_decode(EXAMPLE_MODEL, 3)[1] == pytest.approx(math.log(0.58 * 0.65 * 0.90))
    assert bs.exhaustive_decode(EXAMPLE_MODEL, 3)[1] == pytest.approx(math.log(0.42 * 0.95 * 0.95))


# ---- general behaviour ------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_exhaustive_decode_finds_the_brute_force_best(seed):
    model = _random_model(np.random.default_rng(seed), ["a", "b", "c"], 3)
    best, best_score = max(_all_sequences(model, 3).items(), key=lambda item: item[1])
    tokens, score = bs.exhaustive_decode(model, 3)
    assert tokens == list(best) and score == pytest.approx(best_score, rel=1e-14)


@pytest.mark.parametrize("seed", range(5))
def test_beam_search_with_a_beam_as_wide_as_all_prefixes_is_exhaustive(seed):
    model = _random_model(np.random.default_rng(seed), ["a", "b", "c"], 3)
    assert bs.beam_search(model, 9, 3) == bs.exhaustive_decode(model, 3)


@pytest.mark.parametrize("seed", range(5))
def test_beam_search_with_one_beam_is_greedy(seed):
    model = _random_model(np.random.default_rng(seed), ["a", "b", "c"], 4)
    assert bs.beam_search(model, 1, 4) == bs.greedy_decode(model, 4)


def test_beam_search_keeps_the_k_best_prefixes_after_every_step():
    # After step 1 the beam of 2 is {x, y}; z has the best continuation but is pruned.
    model = {
        "": {"x": math.log(0.4), "y": math.log(0.35), "z": math.log(0.25)},
        "x": {"x": math.log(0.5), "y": math.log(0.3), "z": math.log(0.2)},
        "y": {"x": math.log(0.6), "y": math.log(0.3), "z": math.log(0.1)},
        "z": {"x": math.log(0.99), "y": math.log(0.006), "z": math.log(0.004)},
    }
    assert bs.beam_search(model, 2, 2)[0] == ["y", "x"]
    assert bs.exhaustive_decode(model, 2)[0] == ["z", "x"]
    assert bs.beam_search(model, 3, 2)[0] == ["z", "x"]


def test_zero_steps_give_the_empty_sequence_with_score_zero():
    for result in [
        bs.greedy_decode(EXAMPLE_MODEL, 0),
        bs.exhaustive_decode(EXAMPLE_MODEL, 0),
        bs.beam_search(EXAMPLE_MODEL, 2, 0),
    ]:
        assert result == ([], 0.0)


def test_searches_break_ties_alphabetically_not_by_dict_order():
    half = math.log(0.5)
    model = {"": {"b": half, "a": half}, "a": {"b": half, "a": half}, "b": {"b": half, "a": half}}
    assert bs.greedy_decode(model, 2)[0] == ["a", "a"]
    assert bs.exhaustive_decode(model, 2)[0] == ["a", "a"]
    assert bs.beam_search(model, 1, 2)[0] == ["a", "a"]
    assert bs.beam_search(model, 2, 2)[0] == ["a", "a"]


@pytest.mark.parametrize("beam_size", [0, -1])
def test_beam_search_rejects_a_beam_smaller_than_one(beam_size):
    with pytest.raises(ValueError):
        bs.beam_search(EXAMPLE_MODEL, beam_size, 3)


def test_searches_leave_the_model_unchanged():
    before = copy.deepcopy(EXAMPLE_MODEL)
    bs.greedy_decode(EXAMPLE_MODEL, 3)
    bs.exhaustive_decode(EXAMPLE_MODEL, 3)
    bs.beam_search(EXAMPLE_MODEL, 2, 3)
    assert EXAMPLE_MODEL == before


# ---- decoder inputs -----------------------------------------------------------------

TARGET = ["I", "see", "a", "dog", "<eos>"]
GENERATED = ["I", "saw", "a", "dog", "<eos>"]


def test_decoder_inputs_use_the_target_when_training():
    out = call_without_mutation(bs.decoder_inputs, TARGET, GENERATED, True)
    assert out == ["<sos>", "I", "see", "a", "dog"]


def test_decoder_inputs_use_the_generated_tokens_at_inference():
    out = call_without_mutation(bs.decoder_inputs, TARGET, GENERATED, False)
    assert out == ["<sos>", "I", "saw", "a", "dog"]
