"""Visible tests for beam_search.py: the course's worked example, with its model and results written out.

Example files never import the reference: they ship as they are in the student kit.
"""
import math

from autograder.testkit import check, student_file

bs = student_file("beam_search.py")

# The course's example model: two words, three steps, each next-token distribution given by its
# probabilities; the model holds their logarithms.
EXAMPLE_MODEL = {
    "": {"deep": math.log(0.58), "learn": math.log(0.42)},
    "deep": {"deep": math.log(0.65), "learn": math.log(0.35)},
    "learn": {"deep": math.log(0.05), "learn": math.log(0.95)},
    "deep deep": {"deep": math.log(0.90), "learn": math.log(0.10)},
    "deep learn": {"deep": math.log(0.30), "learn": math.log(0.70)},
    "learn deep": {"deep": math.log(0.60), "learn": math.log(0.40)},
    "learn learn": {"deep": math.log(0.95), "learn": math.log(0.05)},
}


@bs.grades("greedy_decode")
def test_greedy_decode_reproduces_the_worked_example():
    """greedy_decode: the worked example, 3 steps -> deep deep deep, log(0.58 * 0.65 * 0.90) = -1.08"""
    check(bs.greedy_decode(EXAMPLE_MODEL, 3), (["deep", "deep", "deep"], math.log(0.58 * 0.65 * 0.90)),
          names=("tokens", "score"))


@bs.grades("exhaustive_decode")
def test_exhaustive_decode_reproduces_the_worked_example():
    """exhaustive_decode: the worked example, 3 steps -> learn learn deep, log(0.42 * 0.95 * 0.95) = -0.97"""
    check(bs.exhaustive_decode(EXAMPLE_MODEL, 3), (["learn", "learn", "deep"], math.log(0.42 * 0.95 * 0.95)),
          names=("tokens", "score"))


@bs.grades("beam_search")
def test_beam_search_reproduces_the_worked_example():
    """beam_search: the worked example, beam size 2, 3 steps -> learn learn deep, -0.97"""
    check(bs.beam_search(EXAMPLE_MODEL, 2, 3), (["learn", "learn", "deep"], math.log(0.42 * 0.95 * 0.95)),
          names=("tokens", "score"))


@bs.grades("decoder_inputs")
def test_decoder_inputs_reproduces_the_worked_example():
    """decoder_inputs: the worked example, target "I see a dog <eos>", generated "I saw a dog <eos>" """
    target = ["I", "see", "a", "dog", "<eos>"]
    generated = ["I", "saw", "a", "dog", "<eos>"]
    check(bs.decoder_inputs(target, generated, True), ["<sos>", "I", "see", "a", "dog"], name="inputs",
          case="training, with teacher forcing")
    check(bs.decoder_inputs(target, generated, False), ["<sos>", "I", "saw", "a", "dog"], name="inputs",
          case="at inference")
