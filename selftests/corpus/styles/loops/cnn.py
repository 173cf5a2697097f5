"""Layer shapes/parameter counts, circular convolution, global average pooling -- explicit loops."""
import numpy as np


def _int_after(name, prefix):
    rest = name[len(prefix):]
    if not rest.isdigit():
        raise ValueError(f"unknown layer {name}")
    return int(rest)


def layer_table(layers, input_shape):
    shape = tuple(int(s) for s in input_shape)
    rows = [("Input", 0, shape)]
    for name in layers:
        params = 0
        if name.startswith("CONV"):
            parts = name[4:].split("-")
            if len(parts) != 2 or not parts[0].isdigit() or not parts[1].isdigit():
                raise ValueError(f"unknown layer {name}")
            k, F = int(parts[0]), int(parts[1])
            if len(shape) != 3 or k == 0:
                raise ValueError(f"{name} needs an (H, W, C) input, got {shape}")
            H, W, C = shape
            params = (k * k * C + 1) * F
            shape = (H - k + 2 * 1 + 1, W - k + 2 * 1 + 1, F)
        elif name.startswith("POOL"):
            p = _int_after(name, "POOL")
            if len(shape) != 3 or p == 0:
                raise ValueError(f"{name} needs an (H, W, C) input and p >= 1, got {shape}")
            H, W, C = shape
            shape = (H // p, W // p, C)
        elif name == "RELU":
            pass
        elif name == "GAP":
            if len(shape) != 3:
                raise ValueError(f"{name} needs an (H, W, C) input, got {shape}")
            shape = (shape[2],)
        elif name == "FLATTEN":
            total = 1
            for s in shape:
                total *= s
            shape = (total,)
        elif name.startswith("FC-"):
            K = _int_after(name, "FC-")
            if len(shape) != 1:
                raise ValueError(f"{name} needs a flat input, got {shape}")
            params = (shape[0] + 1) * K
            shape = (K,)
        else:
            raise ValueError(f"unknown layer {name}")
        for s in shape:
            if s < 1:
                raise ValueError(f"{name} gives size {shape}, smaller than 1")
        rows.append((name, params, shape))
    return rows


def conv2d_circular(x, w, b):
    H, W, C = x.shape
    k, F = w.shape[0], w.shape[3]
    r = k // 2
    out = np.zeros((H, W, F))
    for i in range(H):
        for j in range(W):
            for f in range(F):
                total = b[f]
                for a in range(k):
                    for c in range(k):
                        ii = (i + a - r) % H
                        jj = (j + c - r) % W
                        for e in range(C):
                            total += x[ii, jj, e] * w[a, c, e, f]
                out[i, j, f] = total
    return out


def global_avg_pool(x):
    H, W, C = x.shape
    out = np.zeros(C)
    for c in range(C):
        total = 0.0
        for i in range(H):
            for j in range(W):
                total += x[i, j, c]
        out[c] = total / (H * W)
    return out
