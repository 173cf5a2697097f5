"""Central finite differences in float64: the yardstick for every analytic gradient."""
import numpy as np

STEP = 1e-6


def numerical_gradient(f, x, h=STEP):
    """d f / d x by central differences; f maps an array shaped like x to a float."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += h
        minus[index] -= h
        grad[index] = (f(plus) - f(minus)) / (2.0 * h)
    return grad


def numerical_jacobian(f, x, h=STEP):
    """J[i..., j...] = d f(x)[i...] / d x[j...] by central differences."""
    x = np.array(x, dtype=np.float64)
    out_shape = np.shape(f(x))
    jac = np.zeros(out_shape + x.shape)
    for index in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += h
        minus[index] -= h
        jac[(Ellipsis,) + index] = (np.asarray(f(plus)) - np.asarray(f(minus))) / (2.0 * h)
    return jac


def assert_gradient(analytic, f, x, rtol=1e-5, atol=1e-7):
    """The analytic gradient of f at x agrees with central differences."""
    numeric = numerical_gradient(f, x)
    np.testing.assert_allclose(analytic, numeric, rtol=rtol, atol=atol)
    assert np.shape(analytic) == np.shape(x)
