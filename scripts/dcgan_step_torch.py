#!/usr/bin/env python3
"""The DCGAN iteration `ttur-text bench image-step` times, written in PyTorch for the
side-by-side ratio: the same networks (5x5 stride-2 (transposed) convolutions, batch norm,
ReLU / leaky ReLU 0.2, tanh), one discriminator step on a real and a generated batch and one
generator step with the non-saturating loss, Adam(beta1=0.5). Prints one JSON line.

--autocast bf16 runs the forward passes (and so their backward GEMMs) under PyTorch's own CPU
mixed precision, torch.autocast('cpu', dtype=torch.bfloat16): convolutions and matmuls in
bfloat16 through oneDNN, weights, batch-norm statistics and Adam in float32."""
import argparse, json, math, time

import torch
import torch.nn as nn
import torch.nn.functional as F


def generator(size, channels, width, noise):
    stages = int(math.log2(size // 4))
    widths = [width << (stages - 1 - i) for i in range(stages)] + [channels]

    class G(nn.Module):
        def __init__(self):
            super().__init__()
            self.input = nn.Linear(noise, 16 * widths[0])
            self.input_norm = nn.BatchNorm2d(widths[0])
            self.stages = nn.ModuleList(nn.ConvTranspose2d(widths[i], widths[i + 1], 5, 2, 2, output_padding=1)
                                        for i in range(stages))
            self.norms = nn.ModuleList(nn.BatchNorm2d(widths[i]) for i in range(1, stages))

        def forward(self, z):
            h = F.relu(self.input_norm(self.input(z).view(-1, widths[0], 4, 4)))
            for i, stage in enumerate(self.stages):
                h = stage(h)
                h = F.relu(self.norms[i](h)) if i < len(self.norms) else torch.tanh(h)
            return h
    return G()


def discriminator(size, channels, width):
    stages = int(math.log2(size // 4))
    widths = [channels] + [width << i for i in range(stages)]

    class D(nn.Module):
        def __init__(self):
            super().__init__()
            self.stages = nn.ModuleList(nn.Conv2d(widths[i], widths[i + 1], 5, 2, 2) for i in range(stages))
            self.norms = nn.ModuleList(nn.BatchNorm2d(widths[i + 1]) for i in range(1, stages))
            self.output = nn.Linear(16 * widths[-1], 1)

        def forward(self, x):
            h = x
            for i, stage in enumerate(self.stages):
                h = stage(h)
                if i > 0:
                    h = self.norms[i - 1](h)
                h = F.leaky_relu(h, 0.2)
            return self.output(h.flatten(1))
    return D()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--size", type=int, default=32)
    p.add_argument("--channels", type=int, default=1)
    p.add_argument("--width", type=int, default=64)
    p.add_argument("--noise", type=int, default=100)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--iters", type=int, default=20)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--autocast", choices=["none", "bf16"], default="none")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    g, d = generator(a.size, a.channels, a.width, a.noise), discriminator(a.size, a.channels, a.width)
    og = torch.optim.Adam(g.parameters(), lr=5e-4, betas=(0.5, 0.999))
    od = torch.optim.Adam(d.parameters(), lr=1e-4, betas=(0.5, 0.999))
    real = torch.rand(a.batch, a.channels, a.size, a.size) * 2 - 1

    def amp():
        return torch.autocast('cpu', dtype=torch.bfloat16, enabled=a.autocast == 'bf16')

    def iteration():
        z = torch.rand(a.batch, a.noise) * 2 - 1
        with torch.no_grad(), amp():
            fake = g(z)
        with amp():
            loss_d = F.softplus(-d(real)).float().mean() + F.softplus(d(fake)).float().mean()
        od.zero_grad(set_to_none=True)
        loss_d.backward()
        od.step()
        z = torch.rand(a.batch, a.noise) * 2 - 1
        with amp():
            loss_g = F.softplus(-d(g(z))).float().mean()
        og.zero_grad(set_to_none=True)
        loss_g.backward()
        og.step()

    iteration()
    times = []
    for _ in range(a.iters):
        start = time.perf_counter()
        iteration()
        times.append(time.perf_counter() - start)
    times.sort()
    print(json.dumps({"engine": "pytorch " + torch.__version__, "autocast": a.autocast, "threads": a.threads,
                      "median_s": times[len(times) // 2], "min_s": times[0], "max_s": times[-1]}))


if __name__ == "__main__":
    main()
