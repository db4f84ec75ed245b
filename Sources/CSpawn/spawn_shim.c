#define _GNU_SOURCE
#include "spawn_shim.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

pid_t ttur_spawn(const char *path, char *const argv[], char *const envp[], int output_fd, int keep_fd) {
    pid_t parent = getpid();
    int report[2];  // the child writes errno here when exec fails; closed on a successful exec
    if (pipe2(report, O_CLOEXEC) != 0) return -errno;
    pid_t pid = fork();
    if (pid < 0) {
        int saved = errno;
        close(report[0]);
        close(report[1]);
        return -saved;
    }
    if (pid == 0) {
        // Only async-signal-safe calls between fork and exec.
        int error = 0;
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) error = errno;
        // The parent may have died before prctl took effect.
        if (!error && getppid() != parent) _exit(127);
        if (!error && setpgid(0, 0) != 0) error = errno;
        sigset_t none;
        sigemptyset(&none);
        if (!error) sigprocmask(SIG_SETMASK, &none, NULL);
        if (!error && output_fd >= 0 && (dup2(output_fd, 1) < 0 || dup2(output_fd, 2) < 0)) error = errno;
        if (!error && keep_fd >= 0) {
            int flags = fcntl(keep_fd, F_GETFD);
            if (flags < 0 || fcntl(keep_fd, F_SETFD, flags & ~FD_CLOEXEC) != 0) error = errno;
        }
        if (!error) {
            execve(path, argv, envp);
            error = errno;
        }
        (void)!write(report[1], &error, sizeof error);
        _exit(127);
    }
    close(report[1]);
    int error = 0;
    ssize_t got;
    do { got = read(report[0], &error, sizeof error); } while (got < 0 && errno == EINTR);
    close(report[0]);
    if (got == (ssize_t)sizeof error) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        return -error;
    }
    return pid;
}
