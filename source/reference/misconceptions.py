"""The catalogue of named misconceptions: mistakes students really make, and what each one computes.

When a graded result is wrong, the grader (autograder/misconceptions.py) runs every mistake catalogued
for that function on the same inputs; if the student's result is what a mistake gives, the feedback
names it with the entry's sentence, in visible and hidden tests alike. This module is trusted code
like the reference (each entry is the reference with one deliberate mistake), so it never ships in
the student kit.

Adding one (a TA's recipe):

    @mistake("batchnorm-unbiased-variance", "batchnorm_forward",
             "The batch variance divides by N (np.var's default); dividing by N - 1 (ddof=1) ...")
    def _(x, gamma, beta, eps=1e-5):
        return ...what the mistaken function returns: same signature, same kind of result...

- id: stable and unique, "<file stem>-<short name>"; the class report counts it per function, so
  never reuse or rename an id between semesters.
- function: the graded function whose wrong result it explains.
- sentence: what the student reads after "This looks like a known mistake:". Say what the mistake
  is and what is right, in terms of the spec; never an expected value.
- the body: compute the mistaken result from the arguments (the reference functions below are
  yours to reuse). It must differ from the correct result on the graded inputs, or it is never named.
- add a single-bug submission that makes the mistake to selftests/corpus/bugs.yaml with
  `misconception: <id>`; the corpus self-test then proves it is named for that bug, and only there.
"""
import numpy as np

from reference import attention, autoencoder, batchnorm, beam_search, cnn, gnn, gradients, rnn
from autograder.misconceptions import Misconception

MODULES = (gradients, batchnorm, rnn, attention, cnn, beam_search, gnn, autoencoder)
CATALOGUE = []


def correct(function):
    """The reference function of that name: what the mistakes are told apart from."""
    return next(getattr(m, function) for m in MODULES if hasattr(m, function))


def mistake(id, function, sentence):
    def register(produce):
        CATALOGUE.append(Misconception(id, function, sentence, produce))
        return produce
    return register


def _replace(result, **parts):
    return {**result, **parts}


# ---------------------------------------------------------------- gradients.py

@mistake("gradients-sigmoid-grad-of-z", "sigmoid_grad",
         "sigmoid_grad computes z (1 - z). The derivative is sigma(z) (1 - sigma(z)): apply the sigmoid first.")
def _(z):
    return z * (1.0 - z)


@mistake("gradients-relu-grad-one-at-zero", "relu_grad",
         "relu_grad gives 1 at z == 0. The derivative used at 0 is 0: test z > 0, not z >= 0.")
def _(z):
    return (np.asarray(z, dtype=float) >= 0).astype(float)


@mistake("gradients-tanh-grad-missing-square", "tanh_grad",
         "tanh_grad computes 1 - tanh(z). The derivative of tanh is 1 - tanh(z)**2.")
def _(z):
    return 1.0 - np.tanh(z)


@mistake("gradients-squared-error-missing-factor-2", "scalar_mlp_grads",
         "The factor 2 of the squared error is missing: dL/dy_pred = 2 (y_pred - y_true).")
def _(x, y_true, A, b, C, d):
    return {k: v / 2.0 for k, v in gradients.scalar_mlp_grads(x, y_true, A, b, C, d).items()}


@mistake("gradients-squared-error-sign", "scalar_mlp_grads",
         "Every gradient has the wrong sign: dL/dy_pred = 2 (y_pred - y_true), not 2 (y_true - y_pred).")
def _(x, y_true, A, b, C, d):
    return {k: -v for k, v in gradients.scalar_mlp_grads(x, y_true, A, b, C, d).items()}


@mistake("gradients-gd-ascends", "gd_update",
         "The step goes uphill: gradient descent subtracts lr * grad from each parameter.")
def _(params, grads, lr):
    return gradients.gd_update(params, grads, -lr)


@mistake("gradients-sigma-instead-of-its-derivative", "sum_of_units_grads",
         "The chain rule through the sigmoid multiplies by sigma'(z) = sigma(z) (1 - sigma(z)), not by sigma(z).")
def _(W, b, x, y):
    s = gradients.sigmoid(W @ x + b)
    dpre = -2.0 * (float(y) - s.sum()) * s
    return np.outer(dpre, x), dpre


def _two_layer(W1, W2, b, x, y, activation, derivative):
    """two_layer_grads with `derivative(pre-activation, activation value)` in place of phi'."""
    phi, _ = gradients._ACTIVATIONS[activation]
    pre = W1 @ x + b
    hidden = phi(pre)
    error = W2 @ hidden - y
    dpre = (W2.T @ error) * derivative(pre, hidden)
    return {"x": W1.T @ dpre, "W1": np.outer(dpre, x), "W2": np.outer(error, hidden), "b": dpre}


@mistake("gradients-relu-as-its-own-derivative", "two_layer_grads",
         "relu(a) is used as the derivative of ReLU; relu'(a) is 1 where a > 0 and 0 elsewhere.")
def _(W1, W2, b, x, y, activation):
    if activation != "relu":
        return gradients.two_layer_grads(W1, W2, b, x, y, activation)
    return _two_layer(W1, W2, b, x, y, activation, lambda pre, hidden: hidden)


@mistake("gradients-missing-activation-derivative", "two_layer_grads",
         "The backward pass skips the activation: going back through phi multiplies by phi'(W1 x + b).")
def _(W1, W2, b, x, y, activation):
    return _two_layer(W1, W2, b, x, y, activation, lambda pre, hidden: 1.0)


@mistake("gradients-jacobian-transposed", "jacobian_linear",
         "The Jacobian is transposed: J[i, j] = d f_i / d x_j has one row per output, so for f(x) = A^T x it is "
         "A^T, of shape (n, d).")
def _(A, x):
    return np.array(A, dtype=float)


@mistake("gradients-norm-gradient-missing-factor-2", "grad_composed_x",
         "The factor 2 is missing: the gradient of ||v||**2 is 2 v, so that of ||A^T x||**2 is 2 A A^T x.")
def _(A, x):
    return A @ (A.T @ x)


@mistake("gradients-matrix-gradient-transposed", "grad_composed_A",
         "The gradient with respect to A is transposed: it has A's shape (d, n), 2 x (A^T x)^T.")
def _(A, x):
    return 2.0 * np.outer(A.T @ x, x)


@mistake("gradients-ridge-lam-added-to-every-entry", "ridge_solution",
         "lam is added to every entry of A^T A; the ridge term adds lam to its diagonal only: A^T A + lam I.")
def _(A, b, lam):
    return np.linalg.solve(A.T @ A + lam, A.T @ b)


@mistake("gradients-least-squares-with-ridge-term", "least_squares",
         "This solves (X^T X + I) theta = X^T y: least squares has no regularisation term.")
def _(X, y):
    return gradients.ridge_solution(X, y, 1.0)


@mistake("gradients-squared-loss-without-half", "mlp_relu_forward_backward",
         "The loss misses its factor 1/2: loss = 1/2 (y_hat - y)**2.")
def _(x, alpha, beta, y):
    result = gradients.mlp_relu_forward_backward(x, alpha, beta, y)
    return _replace(result, loss=2.0 * result["loss"])


@mistake("gradients-skip-connection-ignored", "skip_net_bce_grads",
         "dJ/dx misses the skip path: x also enters z2 directly, so dJ/dx = W1^T (dJ/da1 . relu') + dJ/dz2.")
def _(x, y, W1, b1, W2, b2):
    result = gradients.skip_net_bce_grads(x, y, W1, b1, W2, b2)
    return _replace(result, x=result["x"] - result["b2"])


@mistake("gradients-weight-gradient-transposed", "skip_net_bce_grads",
         "dW2 is transposed: the gradient of W2 a1 with respect to W2 is outer(dJ/dz2, a1), shaped (d, h) like W2.")
def _(x, y, W1, b1, W2, b2):
    result = gradients.skip_net_bce_grads(x, y, W1, b1, W2, b2)
    return _replace(result, W2=result["W2"].T)


# ---------------------------------------------------------------- batchnorm.py

@mistake("batchnorm-unbiased-variance", "batchnorm_forward",
         "The variance is the unbiased one (ddof=1, dividing by N - 1); batch normalisation uses the biased "
         "variance, dividing by N (np.var's default).")
def _(x, gamma, beta, eps=1e-5):
    n = x.shape[0]
    if n < 2:
        return np.full(x.shape, np.nan)
    return gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0, ddof=1) + eps) + beta


@mistake("batchnorm-eps-outside-sqrt", "batchnorm_forward",
         "eps is added after the square root; it belongs inside it: (x - mean) / sqrt(var + eps).")
def _(x, gamma, beta, eps=1e-5):
    return gamma * (x - x.mean(axis=0)) / (np.sqrt(x.var(axis=0)) + eps) + beta


@mistake("batchnorm-statistics-per-example", "batchnorm_forward",
         "The mean and variance are taken per example (axis=1); batch statistics are per feature, over the "
         "batch (axis=0).")
def _(x, gamma, beta, eps=1e-5):
    mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


@mistake("batchnorm-parameter-gradient-over-features", "batchnorm_backward",
         "dgamma is summed over the features (axis=1); gamma has one entry per feature, so its gradient sums over "
         "the batch (axis=0).")
def _(dout, x, gamma, eps=1e-5):
    dx, _, dbeta = batchnorm.batchnorm_backward(dout, x, gamma, eps)
    x_hat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)
    return dx, (dout * x_hat).sum(axis=1), dbeta


@mistake("batchnorm-dbeta-mean-not-sum", "batchnorm_backward",
         "dbeta is the mean of dout over the batch; beta is added to every example, so dbeta is the sum.")
def _(dout, x, gamma, eps=1e-5):
    dx, dgamma, dbeta = batchnorm.batchnorm_backward(dout, x, gamma, eps)
    return dx, dgamma, dbeta / x.shape[0]


@mistake("batchnorm-statistics-treated-as-constants", "batchnorm_backward",
         "dx treats the batch mean and variance as constants; both depend on every x_i, and dx needs the terms "
         "through them.")
def _(dout, x, gamma, eps=1e-5):
    _, dgamma, dbeta = batchnorm.batchnorm_backward(dout, x, gamma, eps)
    return gamma * dout / np.sqrt(x.var(axis=0) + eps), dgamma, dbeta


@mistake("batchnorm-missing-variance-path", "batchnorm_backward",
         "dx misses the term through the variance: the variance depends on x as well as the mean does.")
def _(dout, x, gamma, eps=1e-5):
    _, dgamma, dbeta = batchnorm.batchnorm_backward(dout, x, gamma, eps)
    return gamma * (dout - dout.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps), dgamma, dbeta


@mistake("batchnorm-missing-mean-path", "batchnorm_backward",
         "dx misses the term through the mean: every x_i moves the batch mean, which the output depends on.")
def _(dout, x, gamma, eps=1e-5):
    _, dgamma, dbeta = batchnorm.batchnorm_backward(dout, x, gamma, eps)
    inv_std = 1.0 / np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - x.mean(axis=0)) * inv_std
    return gamma * inv_std * (dout - x_hat * (dout * x_hat).mean(axis=0)), dgamma, dbeta


@mistake("batchnorm-dx-missing-gamma", "batchnorm_backward",
         "dx forgets the factor gamma: the output is gamma * x_hat + beta, so every path to x goes through gamma.")
def _(dout, x, gamma, eps=1e-5):
    dx, dgamma, dbeta = batchnorm.batchnorm_backward(dout, x, gamma, eps)
    return dx / gamma, dgamma, dbeta


@mistake("batchnorm-demean-sum-not-mean", "demean_backward",
         "The sum of the upstream gradients is subtracted; the mean's derivative brings a 1/N, so subtract their "
         "mean: gamma (dout_i - (1/N) sum_j dout_j).")
def _(dout, gamma):
    return gamma * (dout - dout.sum(axis=0))


@mistake("batchnorm-demean-missing-gamma", "demean_backward",
         "dx forgets the factor gamma of the forward pass.")
def _(dout, gamma):
    return dout - dout.mean(axis=0)


# ---------------------------------------------------------------- rnn.py

@mistake("rnn-truncated-bptt", "scalar_rnn_grad",
         "Only the last step's use of w counts (truncated backpropagation through time): w is used at every "
         "step, and dy/dw sums the contributions of all of them.")
def _(w, u, h0=0.0):
    return float(rnn.scalar_rnn_edge_grads(w, u, h0)[-1])


@mistake("rnn-no-chain-through-time", "scalar_rnn_grad",
         "dy/dh_{t-1} is set to w; it is w * dy/dh_t, so the powers of w accumulate step after step.")
def _(w, u, h0=0.0):
    states = np.concatenate(([float(h0)], rnn.scalar_rnn_forward(w, u, h0)))[:-1]
    return float(np.sum((np.asarray(u, dtype=float) + states) * np.where(np.arange(len(u)) == len(u) - 1, 1.0, w)))


@mistake("rnn-edge-gradients-reversed", "scalar_rnn_edge_grads",
         "The contributions come last step first; entry t belongs to time step t, the first step first.")
def _(w, u, h0=0.0):
    return rnn.scalar_rnn_edge_grads(w, u, h0)[::-1]


@mistake("rnn-local-derivative-missing-previous-state", "scalar_rnn_edge_grads",
         "The local derivative of h_t = w (u_t + h_{t-1}) with respect to w is u_t + h_{t-1}, not u_t.")
def _(w, u, h0=0.0):
    dy_dh = float(w) ** np.arange(len(u) - 1, -1, -1)
    return np.asarray(u, dtype=float) * dy_dh


@mistake("rnn-initial-state-ignored", "scalar_rnn_forward",
         "The recurrence starts from 0 whatever h0 is given; h_1 = w (u_1 + h0).")
def _(w, u, h0=0.0):
    return rnn.scalar_rnn_forward(w, u, 0.0)


@mistake("rnn-missing-tanh", "rnn_forward",
         "The tanh is missing: h_t = tanh(Wx x_t + Wh h_{t-1} + b).")
def _(xs, h0, Wx, Wh, b):
    h, hs = h0, []
    for x in xs:
        h = Wx @ x + Wh @ h + b
        hs.append(h)
    return np.array(hs)


def _rnn_backward(dhs, xs, h0, Wx, Wh, b, *, carry=True, derivative_at_previous=False, dWh_with_current=False,
                  tanh_derivative=True):
    """rnn_backward with one of its usual mistakes switched on."""
    hs = rnn.rnn_forward(xs, h0, Wx, Wh, b)
    prev = np.vstack([h0[None, :], hs])[:-1]
    da = np.empty_like(hs)
    dh_next = np.zeros_like(h0, dtype=float)
    for t in range(len(hs) - 1, -1, -1):
        at = prev[t] if derivative_at_previous else hs[t]
        da[t] = (dhs[t] + (dh_next if carry else 0.0)) * ((1.0 - at ** 2) if tanh_derivative else 1.0)
        dh_next = Wh.T @ da[t]
    return {"xs": da @ Wx, "h0": dh_next, "Wx": da.T @ xs, "Wh": da.T @ (hs if dWh_with_current else prev),
            "b": da.sum(axis=0)}


@mistake("rnn-backward-truncated-bptt", "rnn_backward",
         "The gradient reaching h_t from step t+1 (through Wh) is dropped: h_t affects the loss directly and "
         "through every later state, and both parts must be added.")
def _(dhs, xs, h0, Wx, Wh, b):
    return _rnn_backward(dhs, xs, h0, Wx, Wh, b, carry=False)


@mistake("rnn-backward-last-state-only", "rnn_backward",
         "Only dhs[T-1] is used, as if the loss depended on the last state only; every dhs[t] acts on its h_t.")
def _(dhs, xs, h0, Wx, Wh, b):
    last = np.zeros_like(dhs)
    last[-1] = dhs[-1]
    return rnn.rnn_backward(last, xs, h0, Wx, Wh, b)


@mistake("rnn-backward-missing-tanh-derivative", "rnn_backward",
         "The tanh derivative is missing: going back through h_t = tanh(a_t) multiplies by 1 - h_t**2.")
def _(dhs, xs, h0, Wx, Wh, b):
    return _rnn_backward(dhs, xs, h0, Wx, Wh, b, tanh_derivative=False)


@mistake("rnn-backward-tanh-derivative-one-step-off", "rnn_backward",
         "The tanh derivative at step t uses h_{t-1}; it is 1 - h_t**2, at the state that step produced.")
def _(dhs, xs, h0, Wx, Wh, b):
    return _rnn_backward(dhs, xs, h0, Wx, Wh, b, derivative_at_previous=True)


@mistake("rnn-backward-no-initial-state-gradient", "rnn_backward",
         "The gradient of h0 is zero; h0 feeds h_1 through Wh, so it gets Wh^T times the gradient at step 1.")
def _(dhs, xs, h0, Wx, Wh, b):
    return _replace(rnn.rnn_backward(dhs, xs, h0, Wx, Wh, b), h0=np.zeros_like(h0, dtype=float))


@mistake("rnn-backward-recurrent-weight-with-current-state", "rnn_backward",
         "dWh pairs the gradient at step t with h_t; Wh multiplies the previous state, so it is outer(da_t, h_{t-1}).")
def _(dhs, xs, h0, Wx, Wh, b):
    return _rnn_backward(dhs, xs, h0, Wx, Wh, b, dWh_with_current=True)


# ---------------------------------------------------------------- attention.py

@mistake("attention-last-of-tied-maxima", "argmax_attention",
         "On a tie the last of the best keys wins; the spec says the lowest index (np.argmax's rule).")
def _(q, K, V):
    scores = K @ q
    return np.array(V[len(scores) - 1 - int(np.argmax(scores[::-1]))], dtype=float)


@mistake("attention-returns-key", "argmax_attention",
         "The selected key is returned; attention returns the value (the row of V) of the best-scoring key.")
def _(q, K, V):
    return np.array(K[int(np.argmax(K @ q))], dtype=float)


@mistake("attention-hard-gradient-in-every-row", "argmax_attention_backward",
         "dout is put in every row of dV; only the selected value reaches the output, so only its row gets dout.")
def _(dout, q, K, V):
    dq, dK, _ = attention.argmax_attention_backward(dout, q, K, V)
    return dq, dK, np.tile(dout, (len(V), 1))


@mistake("attention-no-scaling", "softmax_attention",
         "The scores are not scaled: scaled dot-product attention divides Q K^T by sqrt(d) before the softmax.")
def _(Q, K, V):
    return attention.softmax_attention(Q * np.sqrt(Q.shape[1]), K, V)


@mistake("attention-scaled-by-d", "softmax_attention",
         "The scores are divided by d; the scale is 1/sqrt(d).")
def _(Q, K, V):
    return attention.softmax_attention(Q / np.sqrt(Q.shape[1]), K, V)


@mistake("attention-softmax-over-queries", "softmax_attention",
         "The softmax runs over the queries (axis 0); each query's weights over the keys must sum to 1 (axis 1).")
def _(Q, K, V):
    scores = Q @ K.T / np.sqrt(Q.shape[1])
    e = np.exp(scores - scores.max(axis=0, keepdims=True))
    return (e / e.sum(axis=0, keepdims=True)) @ V


@mistake("attention-softmax-shifted-by-global-max", "softmax_attention",
         "The scores are shifted by the largest score of the whole matrix; a row whose scores all lie far below it "
         "underflows to 0 / 0. Subtract each row's own maximum (max(axis=1, keepdims=True)).")
def _(Q, K, V):
    scores = Q @ K.T / np.sqrt(Q.shape[1])
    with np.errstate(under="ignore", invalid="ignore"):
        e = np.exp(scores - scores.max())
        return (e / e.sum(axis=1, keepdims=True)) @ V


@mistake("attention-softmax-backward-elementwise", "softmax_attention_backward",
         "The backward pass treats the softmax as elementwise (dS = P * dP); each weight depends on every score "
         "of its row: dS = P * (dP - sum(dP * P, axis=1, keepdims=True)).")
def _(dout, Q, K, V):
    scale = 1.0 / np.sqrt(Q.shape[1])
    scores = Q @ K.T * scale
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    P = e / e.sum(axis=1, keepdims=True)
    dS = P * (dout @ V.T)
    return dS @ K * scale, dS.T @ Q * scale, P.T @ dout


@mistake("attention-dK-missing-scale", "softmax_attention_backward",
         "dK forgets the 1/sqrt(d) of the scores: it multiplies dK as it does dQ.")
def _(dout, Q, K, V):
    dQ, dK, dV = attention.softmax_attention_backward(dout, Q, K, V)
    return dQ, dK * np.sqrt(Q.shape[1]), dV


@mistake("attention-dV-transposed", "softmax_attention_backward",
         "dV is transposed: it has V's shape (n, dv), P^T dout.")
def _(dout, Q, K, V):
    dQ, dK, dV = attention.softmax_attention_backward(dout, Q, K, V)
    return dQ, dK, dV.T


# ---------------------------------------------------------------- cnn.py

def _table(layers, input_shape, **rules):
    """layer_table with the (n_params, shape) of some kinds of layer ("CONV", "POOL", "GAP", "FC") computed by
    a mistaken rule(layer, input shape); the other layers as the reference computes them."""
    rows = [("Input", 0, tuple(int(s) for s in input_shape))]
    for layer in layers:
        kind = next((k for k in ("CONV", "POOL", "GAP", "FC") if str(layer).startswith(k)), None)
        n_params, shape = rules.get(kind, cnn._next_row)(layer, rows[-1][2])
        rows.append((layer, n_params, shape))
    return rows


def _filters(layer):
    return int(layer.split("-")[1])


@mistake("cnn-conv-parameters-without-bias", "layer_table",
         "A CONV layer's parameter count leaves out the biases: F filters of k x k x C weights plus one bias each, "
         "(k k C + 1) F.")
def _(layers, input_shape):
    def conv(layer, shape):
        n_params, out = cnn._next_row(layer, shape)
        return n_params - _filters(layer), out
    return _table(layers, input_shape, CONV=conv)


@mistake("cnn-conv-without-padding", "layer_table",
         "The CONV output size ignores the padding of 1: it is H + 2 - k + 1 (and likewise for W).")
def _(layers, input_shape):
    def conv(layer, shape):
        n_params, (h, w, f) = cnn._next_row(layer, shape)
        if min(h - 2, w - 2) < 1:
            raise ValueError(layer)
        return n_params, (h - 2, w - 2, f)
    return _table(layers, input_shape, CONV=conv)


@mistake("cnn-pool-rounds-up", "layer_table",
         "POOL rounds the output size up; a p x p pool with stride p and no padding rounds down (H // p).")
def _(layers, input_shape):
    def pool(layer, shape):
        p = int(layer[4:])
        cnn._next_row(layer, shape)
        return 0, (-(-shape[0] // p), -(-shape[1] // p), shape[2])
    return _table(layers, input_shape, POOL=pool)


@mistake("cnn-gap-keeps-spatial-axes", "layer_table",
         "GAP's output keeps its spatial axes; global average pooling turns (H, W, C) into (C,).")
def _(layers, input_shape):
    return _table(layers, input_shape, GAP=lambda layer, shape: (0, (1, 1) + cnn._next_row(layer, shape)[1]))


@mistake("cnn-fc-parameters-without-bias", "layer_table",
         "An FC layer's parameter count leaves out the biases: (inputs + 1) K.")
def _(layers, input_shape):
    def fc(layer, shape):
        n_params, out = cnn._next_row(layer, shape)
        return n_params - out[0], out
    return _table(layers, input_shape, FC=fc)


@mistake("cnn-zero-padding", "conv2d_circular",
         "The image is padded with zeros; circular padding wraps around, x[(i + a - k//2) mod H, ...].")
def _(x, w, b):
    k = w.shape[0]
    r = k // 2
    padded = np.pad(x, ((r, r), (r, r), (0, 0)))
    H, W = x.shape[:2]
    return np.einsum("ijacE,acEf->ijf", np.stack([np.stack([padded[i:i + k, j:j + k] for j in range(W)])
                                                   for i in range(H)]), w) + b


@mistake("cnn-flipped-kernel", "conv2d_circular",
         "The kernel is flipped (true convolution); the layer is a cross-correlation: x[i + a - k//2, ...] w[a, ...].")
def _(x, w, b):
    return cnn.conv2d_circular(x, w[::-1, ::-1], b)


@mistake("cnn-conv-without-bias", "conv2d_circular",
         "The bias is missing: every output of filter f gets + b[f].")
def _(x, w, b):
    return cnn.conv2d_circular(x, w, np.zeros_like(b))


@mistake("cnn-pool-sum-not-mean", "global_avg_pool",
         "The values are summed; global average pooling divides by H W.")
def _(x):
    return x.sum(axis=(0, 1))


# ---------------------------------------------------------------- beam_search.py

@mistake("beam_search-greedy-least-likely", "greedy_decode",
         "The least likely token is picked; greedy decoding takes the most likely next token (the largest "
         "log-probability).")
def _(model, steps):
    tokens, score = [], 0.0
    for _ in range(steps):
        options = model[" ".join(tokens)]
        token = min(options, key=options.get)
        tokens, score = tokens + [token], score + options[token]
    return tokens, score


@mistake("beam_search-log-probabilities-multiplied", "greedy_decode",
         "The log-probabilities are multiplied; a sequence's log-probability is the sum of its tokens' "
         "log-probabilities.")
def _(model, steps):
    tokens, _ = beam_search.greedy_decode(model, steps)
    return tokens, 0.0


@mistake("beam_search-beam-of-one", "beam_search",
         "Only the single best prefix is kept, which is greedy decoding; keep the beam_size best.")
def _(model, beam_size, steps):
    return beam_search.greedy_decode(model, steps)


@mistake("beam_search-beam-per-parent", "beam_search",
         "The beam_size best children of every prefix are kept; the beam keeps the beam_size best of all "
         "candidates together.")
def _(model, beam_size, steps):
    beam = [([], 0.0)]
    for _ in range(steps):
        beam = [c for tokens, s in beam for c in sorted(
            ((tokens + [t], s + lp) for t, lp in model[" ".join(tokens)].items()), key=lambda c: -c[1])[:beam_size]]
    return max(beam, key=lambda c: c[1])


@mistake("beam_search-worst-of-final-beam", "beam_search",
         "The last prefix of the final beam is returned; the result is the best-scoring sequence in it.")
def _(model, beam_size, steps):
    beam = [([], 0.0)]
    for _ in range(steps):
        beam = sorted(beam_search._extend(model, beam), key=lambda h: beam_search._rank(*h))[:beam_size]
    return beam[-1]


@mistake("beam_search-decoder-inputs-keep-last", "decoder_inputs",
         "The last token is fed as well; the decoder's input at step t is the token of step t - 1, so everything "
         "but the last token follows <sos>.")
def _(target, generated, training):
    return ["<sos>"] + list(target if training else generated)


@mistake("beam_search-teacher-forcing-swapped", "decoder_inputs",
         "Training and inference are swapped: teacher forcing feeds the target during training, and the model "
         "feeds its own output at inference.")
def _(target, generated, training):
    return beam_search.decoder_inputs(target, generated, not training)


# ---------------------------------------------------------------- gnn.py

@mistake("gnn-mean-over-all-nodes", "masked_bce_loss",
         "The loss is divided by all N nodes; it is the mean over the training nodes only.")
def _(y, y_hat, train_mask):
    mask = np.asarray(train_mask, dtype=bool)
    return gnn.masked_bce_loss(y, y_hat, mask) * mask.sum() / len(mask)


@mistake("gnn-gradient-not-masked", "masked_bce_grad",
         "The gradient is nonzero at held-out nodes; they are not in the loss, so their gradient is 0.")
def _(y, y_hat, train_mask):
    n = np.asarray(train_mask, dtype=bool).sum()
    return ((1.0 - y) / (1.0 - y_hat) - y / y_hat) / n


@mistake("gnn-gradient-missing-1-over-n", "masked_bce_grad",
         "The gradient forgets the 1/n of the mean over the n training nodes.")
def _(y, y_hat, train_mask):
    return gnn.masked_bce_grad(y, y_hat, train_mask) * np.asarray(train_mask, dtype=bool).sum()


@mistake("gnn-sum-aggregation", "gnn_layer",
         "The neighbours' messages are summed; the layer averages them (divides by the number of neighbours).")
def _(S, adj, W1, W2):
    return S + (adj @ np.tanh(S @ W2.T)) @ W1.T


@mistake("gnn-no-residual", "gnn_layer",
         "The residual connection is missing: the new state is s_i plus the aggregated update.")
def _(S, adj, W1, W2):
    return gnn.gnn_layer(S, adj, W1, W2) - S


@mistake("gnn-node-is-its-own-neighbour", "gnn_layer",
         "Each node counts itself among its neighbours; adj has no self-loops, and the mean runs over N(i) only.")
def _(S, adj, W1, W2):
    return gnn.gnn_layer(S, adj + np.eye(len(adj)), W1, W2)


@mistake("gnn-isolated-node-divides-by-zero", "gnn_layer",
         "A node without neighbours divides 0 by 0 (NaN); such a node keeps its state.")
def _(S, adj, W1, W2):
    with np.errstate(invalid="ignore", divide="ignore"):
        return S + (adj @ np.tanh(S @ W2.T) / adj.sum(axis=1, keepdims=True)) @ W1.T


@mistake("gnn-tanh-after-mean", "gnn_layer",
         "tanh is applied after averaging; each message is tanh(W2 s_j), and the messages are averaged.")
def _(S, adj, W1, W2):
    degree = np.maximum(adj.sum(axis=1, keepdims=True), 1.0)
    return S + np.tanh(adj @ (S @ W2.T) / degree) @ W1.T


# ---------------------------------------------------------------- autoencoder.py

@mistake("autoencoder-sum-over-points", "autoencoder_loss",
         "The reconstruction error is summed over the points; the loss averages it (1/n).")
def _(X, W1, W2, lam):
    return autoencoder.autoencoder_loss(X, W1, W2, lam) + (X.shape[1] - 1) * np.sum((X - W2 @ W1 @ X) ** 2) / X.shape[1]


@mistake("autoencoder-norms-not-squared", "autoencoder_loss",
         "The regulariser uses the Frobenius norms; it is lam times their squares, ||W||_F**2.")
def _(X, W1, W2, lam):
    return float(np.sum((X - W2 @ W1 @ X) ** 2) / X.shape[1] + lam * np.linalg.norm(W1) + lam * np.linalg.norm(W2))


@mistake("autoencoder-gradient-missing-weight-decay", "autoencoder_grads",
         "The gradients leave out the regulariser: lam ||W||_F**2 adds 2 lam W to each.")
def _(X, W1, W2, lam):
    return autoencoder.autoencoder_grads(X, W1, W2, 0.0)


@mistake("autoencoder-weight-decay-without-2", "autoencoder_grads",
         "The regulariser's gradient is written lam W; the derivative of lam ||W||_F**2 is 2 lam W.")
def _(X, W1, W2, lam):
    dW1, dW2 = autoencoder.autoencoder_grads(X, W1, W2, 0.0)
    return dW1 + lam * W1, dW2 + lam * W2


@mistake("autoencoder-reconstruction-gradient-without-2", "autoencoder_grads",
         "The reconstruction gradient misses its factor 2: the derivative of ||r||**2 is 2 r.")
def _(X, W1, W2, lam):
    dW1, dW2 = autoencoder.autoencoder_grads(X, W1, W2, 0.0)
    return dW1 / 2 + 2 * lam * W1, dW2 / 2 + 2 * lam * W2


@mistake("autoencoder-dropout-scaled-by-drop-probability", "dropout_to_ridge_weights",
         "The weights are scaled by 1 - p; p is the keep probability, and the equivalent weights are p w.")
def _(w_dropout, p):
    return (1.0 - p) * np.asarray(w_dropout, dtype=float)


@mistake("autoencoder-gamma-without-square-root", "dropout_equivalent_gamma",
         "The square root is missing: Gamma_jj = sqrt((1 - p) / p) ||X[:, j]||.")
def _(X, p):
    return np.diag((1.0 - p) / p * np.linalg.norm(X, axis=0))


@mistake("autoencoder-gamma-row-norms", "dropout_equivalent_gamma",
         "The norms of X's rows are used; Gamma has one entry per feature, the norm of column j.")
def _(X, p):
    return np.diag(np.sqrt((1.0 - p) / p) * np.linalg.norm(X, axis=1))


@mistake("autoencoder-ridge-data-times-gamma", "ridge_data_matrix",
         "X is multiplied by Gamma; the substitution w' = Gamma w gives the data matrix X Gamma^-1.")
def _(X, Gamma):
    return X @ Gamma
