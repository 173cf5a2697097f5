"""Layer table as a dispatch table of shape rules; conv via np.pad(mode="wrap") and slicing."""
import numpy as np


def _conv(spec, shape):
    k_str, f_str = spec.split("-")
    k, F = int(k_str), int(f_str)
    H, W, C = shape
    return (k * k * C + 1) * F, (H + 3 - k, W + 3 - k, F)


def _pool(spec, shape):
    p = int(spec)
    H, W, C = shape
    return 0, (H // p, W // p, C)


def _fc(spec, shape):
    (n,) = shape
    K = int(spec)
    return n * K + K, (K,)


# prefix -> (rule, input rank it needs, or None for any)
_RULES = [
    ("CONV", _conv, 3),
    ("POOL", _pool, 3),
    ("FC-", _fc, 1),
]


def _apply(layer, shape):
    if layer == "RELU":
        return 0, shape
    if layer == "GAP":
        if len(shape) != 3:
            raise ValueError(f"GAP needs a 3-D input, got {shape}")
        return 0, shape[2:]
    if layer == "FLATTEN":
        return 0, (int(np.prod(shape, dtype=np.int64)),)
    for prefix, rule, rank in _RULES:
        if layer.startswith(prefix):
            spec = layer[len(prefix):]
            if not spec.replace("-", "", 1).isdigit() or spec.startswith("-") or spec.endswith("-"):
                break
            if prefix != "CONV" and "-" in spec:
                break
            if prefix == "CONV" and spec.count("-") != 1:
                break
            if len(shape) != rank:
                raise ValueError(f"layer {layer} cannot take an input of shape {shape}")
            if prefix in ("POOL", "CONV") and int(spec.split("-")[0]) == 0:
                raise ValueError(f"layer {layer} has a zero window size")
            return rule(spec, shape)
    raise ValueError(f"unknown layer {layer}")


def layer_table(layers, input_shape):
    table = [("Input", 0, tuple(map(int, input_shape)))]
    shape = table[0][2]
    for layer in layers:
        n_params, shape = _apply(layer, shape)
        shape = tuple(map(int, shape))
        if any(s < 1 for s in shape):
            raise ValueError(f"layer {layer} produces {shape}: a size below 1")
        table.append((layer, int(n_params), shape))
    return table


def conv2d_circular(x, w, b):
    H, W, C = x.shape
    k = w.shape[0]
    r = k // 2
    xp = np.pad(x, ((r, r), (r, r), (0, 0)), mode="wrap")
    # stack every k x k window: patches[i, j, a, c, e] = xp[i + a, j + c, e]
    patches = np.empty((H, W, k, k, C))
    for a in range(k):
        for c in range(k):
            patches[:, :, a, c, :] = xp[a:a + H, c:c + W, :]
    cols = patches.reshape(H * W, k * k * C)
    out = cols @ w.reshape(k * k * C, -1) + b
    return out.reshape(H, W, -1)


def global_avg_pool(x):
    H, W, C = x.shape
    return x.reshape(H * W, C).sum(axis=0) / (H * W)
