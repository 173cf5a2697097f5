"""Everything a graded test needs, in one import.

    from autograder.testkit import student_file, check, match_reference, match_reference_on, must_raise, Tolerance

    bn = student_file("batchnorm.py")          # the student's file, as a proxy

    @bn.grades("batchnorm_forward")            # which functions this test grades
    def test_forward_reproduces_the_worked_example():
        check(bn.batchnorm_forward(x, gamma, beta, eps=0.0), expected, name="y")

    match_reference_on(bn.batchnorm_forward, ref.batchnorm_forward,   # several inputs, one exchange
                       [(f"a batch of {len(x)}", (x, gamma, beta)) for x, gamma, beta in batches], name="y")

    with must_raise(ValueError, "when train_mask selects no node"):
        gnn.masked_bce_loss(y, y_hat, np.zeros(4, dtype=bool))
    must_raise_on(cnn.layer_table, ValueError,                         # several, one exchange
                  [(f"for {layers[-1]}", (layers, (8, 8, 3)), layers[-1]) for layers in networks])

    grads = bn.batchnorm_backward(dout, x, gamma)   # a backward pass, against finite differences
    gradient_check(grads, lambda x, gamma, beta: bn.batchnorm_forward(x, gamma, beta),
                   at={"x": x, "gamma": gamma, "beta": beta}, upstream=dout,
                   names={"dx": "x", "dgamma": "gamma", "dbeta": "beta"})

A failed check tells the student what was wrong, with expected values only in visible tests.
Each test states one behaviour; its name (or docstring) is what students read in Gradescope.
"""
from autograder.checks import (DEFAULT, Tolerance, check, fail, match_reference, match_reference_on, must_raise,
                               must_raise_on)
from autograder.gradcheck import elementwise_check, gradient_check, jacobian_check
from autograder.student import student_file

__all__ = ["DEFAULT", "Tolerance", "check", "elementwise_check", "fail", "gradient_check", "jacobian_check",
           "match_reference", "match_reference_on", "must_raise", "must_raise_on", "student_file"]
