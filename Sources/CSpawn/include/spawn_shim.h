#ifndef TTUR_SPAWN_SHIM_H
#define TTUR_SPAWN_SHIM_H

#include <sys/types.h>

/// Starts `path` with `argv` and `envp` (NULL-terminated) as a child that the kernel kills
/// (SIGKILL) when the calling thread's process dies, so a runner killed by `kill -9` leaves
/// no orphans. The child gets its own process group (a terminal's Ctrl-C reaches the runner
/// only, which forwards it once), an empty signal mask, `output_fd` as stdout and stderr, and
/// `keep_fd` (a lock, or -1) without close-on-exec.
///
/// Linux ties PR_SET_PDEATHSIG to the *thread* that forked: call this from a thread that
/// lives as long as the runner (its main thread).
///
/// Returns the child's pid, or -errno when it could not be started.
pid_t ttur_spawn(const char *path, char *const argv[], char *const envp[], int output_fd, int keep_fd);

#endif
