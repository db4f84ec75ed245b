#ifndef TTUR_PREFETCH_SHIM_H
#define TTUR_PREFETCH_SHIM_H

/// Asks the CPU to bring the cache line of `address` into every cache level, for a read,
/// without waiting for it (a hint: never faults, whatever `address` is). Swift has no
/// prefetch; look-ups into tables far larger than the caches issue these a few keys ahead so
/// that their misses overlap instead of queueing one after another.
static inline void ttur_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
