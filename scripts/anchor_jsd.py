#!/usr/bin/env python3
"""The anchor's in-memory JSD (the reference script's functions, real model prebuilt): what
`ttur-text bench jsd` times beside its own store. Usage: anchor_jsd.py REFERENCE.py REAL.txt SAMPLES.txt"""
import importlib.util, sys, time
spec = importlib.util.spec_from_file_location('ref', sys.argv[1]); ref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ref)
real = ref.load(sys.argv[2], 32, '`', False); fake = ref.load(sys.argv[3], 32, '`', False)
models = {n: ref.counts(real, n) for n in range(1, 7)}
times = []
for _ in range(3):
    t = time.perf_counter()
    for n in range(1, 7): ref.jsd(models[n], ref.counts(fake, n))
    times.append(time.perf_counter() - t)
times.sort()
print('median %.0f ms per evaluation' % (times[1] * 1e3))
