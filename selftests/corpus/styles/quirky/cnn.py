"""cnn -- a Layer helper class that parses names, rows as lists, prints the table,
circular cross-correlation done with the FFT."""
import math

import numpy as np


class Layer:
    def __init__(self, name):
        self.name = name
        self.kind, self.args = self._parse(name)

    @staticmethod
    def _parse(name):
        if name in ("RELU", "GAP", "FLATTEN"):
            return name, ()
        for prefix in ("CONV", "POOL", "FC-"):
            if name.startswith(prefix):
                parts = name[len(prefix):].split("-")
                if all(p.isdigit() and p.isascii() for p in parts) and len(parts) == (2 if prefix == "CONV" else 1):
                    return prefix.rstrip("-"), tuple(int(p) for p in parts)
        raise ValueError("I don't know the layer " + name)

    def apply(self, shape):
        """-> (n_params, new shape)"""
        if self.kind == "RELU":
            return 0, shape
        if self.kind == "FLATTEN":
            return 0, (math.prod(shape),)
        if self.kind == "FC":
            if len(shape) != 1:
                raise ValueError(self.name + " needs a 1-D input, not " + str(shape))
            return (shape[0] + 1) * self.args[0], (self.args[0],)
        if len(shape) != 3:
            raise ValueError(self.name + " needs an H x W x C input, not " + str(shape))
        H, W, C = shape
        if self.kind == "GAP":
            return 0, (C,)
        if self.kind == "POOL":
            (p,) = self.args
            if p < 1:
                raise ValueError(self.name + ": pool size must be positive")
            return 0, (H // p, W // p, C)
        k, F = self.args
        if k < 1:
            raise ValueError(self.name + ": kernel size must be positive")
        return F * (C * k ** 2) + F, (H + 2 - k + 1, W + 2 - k + 1, F)


def layer_table(layers, input_shape):
    shape = tuple(int(v) for v in input_shape)
    table = [["Input", 0, shape]]
    for name in layers:
        n, shape = Layer(name).apply(shape)
        if any(v < 1 for v in shape):
            raise ValueError(f"{name}: output size {shape} is below 1")
        table.append([name, n, tuple(int(v) for v in shape)])
        print(f"{name:>10} {n:>8} {shape}")
    return table


def conv2d_circular(x, w, b):
    H, W, C = x.shape
    k, F = w.shape[0], w.shape[-1]
    r = k // 2
    # kernel g[s, t] placed at offsets s = a - r (mod H), t = c - r (mod W); wrap-arounds add up
    g = np.zeros((H, W, C, F))
    for a in range(k):
        for c in range(k):
            g[(a - r) % H, (c - r) % W] += w[a, c]
    Xf = np.fft.fft2(x, axes=(0, 1))
    Gf = np.fft.fft2(g, axes=(0, 1))
    # circular cross-correlation: out[i, j] = sum_{s,t} x[i+s, j+t] g[s, t]  <=>  X * conj(G)
    out = np.fft.ifft2(np.einsum("hwc,hwcf->hwf", Xf, np.conj(Gf)), axes=(0, 1)).real
    return out + b


def global_avg_pool(x):
    H, W, C = x.shape
    return [math.fsum(x[:, :, c].ravel()) / (H * W) for c in range(C)]


if __name__ == "__main__":
    layer_table(["CONV3-10", "POOL2", "CONV3-10", "POOL2", "FLATTEN", "FC-3"], (28, 28, 1))
