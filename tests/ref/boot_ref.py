#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Independent Python model of kerf's hierarchical bootstrap (splitmix64 seeding,
# xoshiro256**, rejection sampling, type-7 quantiles): prints the interval
# tests/stats.c expects, so the C code is checked against a second
# implementation written from the description, not from the C.
import statistics as st
M = (1 << 64) - 1
def splitmix(x):
    x = (x + 0x9e3779b97f4a7c15) & M
    z = x
    z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M
    z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M
    return x, z ^ (z >> 31)
class Rng:
    def __init__(self, seed):
        self.s = []
        x = seed
        for _ in range(4):
            x, z = splitmix(x); self.s.append(z)
    def next(self):
        s = self.s
        rotl = lambda v, k: ((v << k) | (v >> (64 - k))) & M
        r = (rotl((s[1] * 5) & M, 7) * 9) & M
        t = (s[1] << 17) & M
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t
        s[3] = rotl(s[3], 45)
        return r
    def below(self, n):
        if n <= 1: return 0
        limit = M - M % n
        while True:
            x = self.next()
            if x < limit: return x % n
def q7(xs, q):
    xs = sorted(xs); h = (len(xs) - 1) * q; i = int(h)
    return xs[i] if i + 1 >= len(xs) else xs[i] + (h - i) * (xs[i + 1] - xs[i])
def boot(x, g, seed, reps):
    groups = sorted(set(g)); idx = {k: [i for i in range(len(x)) if g[i] == k] for k in groups}
    r = Rng(seed); meds = []
    for _ in range(reps):
        buf = []
        for _k in groups:
            pick = groups[r.below(len(groups))] if len(groups) > 1 else groups[0]
            L = idx[pick]
            for _j in range(len(L)):
                buf.append(x[L[r.below(len(L))]])
        meds.append(q7(buf, 0.5))
    return q7(meds, 0.025), q7(meds, 0.975)
x = [12.5, 10.1, 11.7, 10.9, 13.2, 10.4, 55.0, 11.1, 10.8, 12.0, 9.7, 11.3]
g = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]
print("flat", "%.17g %.17g" % boot(x, [0] * len(x), 42, 200))
print("grouped", "%.17g %.17g" % boot(x, g, 42, 200))
