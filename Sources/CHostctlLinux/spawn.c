#define _GNU_SOURCE
#include "CHostctlLinux.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

// fork and exec by hand, because posix_spawn cannot set a parent-death signal.
//
// The child is a copy of a multithreaded process: between fork and exec it may only make
// async-signal-safe calls (no malloc, no locks, no stdio) on memory the parent prepared.
// _Fork runs no pthread_atfork handlers (Dispatch's and OpenSSL's among them), which is
// what a child that only execs wants. Every signal is blocked across the fork, so no
// handler of the parent's can run in the child before the dispositions are reset.

/// What the child tells the parent through the report pipe when a step fails.
struct chl_spawn_report {
    int32_t step;
    int32_t error;
};

__attribute__((noreturn))
static void chl_spawn_fail(int report, int step) {
    struct chl_spawn_report message = { .step = step, .error = errno };
    // Eight bytes into an empty pipe are written whole or not at all.
    while (write(report, &message, sizeof message) < 0 && errno == EINTR) {}
    _exit(127);
}

/// Closes every descriptor from `from` up, except `keep`.
static void chl_close_from(int from, int keep, int highest) {
#ifdef SYS_close_range
    if (keep < from) {
        if (syscall(SYS_close_range, (unsigned)from, ~0U, 0) == 0) return;
    } else {
        if ((keep == from || syscall(SYS_close_range, (unsigned)from, (unsigned)keep - 1, 0) == 0)
            && syscall(SYS_close_range, (unsigned)keep + 1, ~0U, 0) == 0) return;
    }
#endif
    // Kernels before 5.9: one close per possible number, up to the limit the parent read.
    for (int fd = from; fd <= highest; fd++) {
        if (fd != keep) close(fd);
    }
}

int chl_spawn(const struct chl_spawn_plan *plan, pid_t *child, int *failed_step) {
    *failed_step = CHL_SPAWN_STEP_FORK;
    if (plan->passed_count < 0 || plan->passed_count > CHL_SPAWN_MAX_PASSED) return EINVAL;
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) return errno;

    // Everything the child needs is computed here, before the fork.
    struct rlimit limit;
    int highest = 65535;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < 1048576) {
        highest = (int)limit.rlim_cur - 1;
    }
    int lowest_free = 3 + plan->passed_count;
    const int standard[3] = { plan->standard_input, plan->standard_output, plan->standard_error };
    struct sigaction default_action;
    memset(&default_action, 0, sizeof default_action);
    default_action.sa_handler = SIG_DFL;
    sigemptyset(&default_action.sa_mask);
    sigset_t all, empty, previous;
    sigfillset(&all);
    sigemptyset(&empty);
    pid_t parent = getpid();

    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pid_t pid = _Fork();
    if (pid == 0) {
        int channel = report[1];
        // 1. Every source descriptor (and the report pipe) above the numbers it will be
        //    copied onto, so no copy overwrites a source still to be copied.
        if (channel < lowest_free && (channel = fcntl(channel, F_DUPFD_CLOEXEC, lowest_free)) < 0) _exit(127);
        // sources[n] goes to descriptor n: the standard streams, then the passed ones from 3.
        int sources[3 + CHL_SPAWN_MAX_PASSED];
        int count = 0;
        for (int i = 0; i < 3; i++) sources[count++] = standard[i];
        for (int i = 0; i < plan->passed_count; i++) sources[count++] = plan->passed[i];
        for (int i = 0; i < count; i++) {
            if (sources[i] >= 0 && sources[i] < lowest_free) {
                int moved = fcntl(sources[i], F_DUPFD_CLOEXEC, lowest_free);
                if (moved < 0) chl_spawn_fail(channel, CHL_SPAWN_STEP_DESCRIPTORS);
                sources[i] = moved;
            }
        }
        // 2. Copied into place (dup2 clears close-on-exec on the copy); -1 keeps the parent's.
        for (int i = 0; i < count; i++) {
            if (sources[i] >= 0 && dup2(sources[i], i) < 0) chl_spawn_fail(channel, CHL_SPAWN_STEP_DESCRIPTORS);
        }
        // 3. Nothing else crosses over, inherited or leaked by another thread's open.
        chl_close_from(lowest_free, channel, highest);

        for (int signal = 1; signal < NSIG; signal++) {
            if (signal != SIGKILL && signal != SIGSTOP) sigaction(signal, &default_action, NULL);  // 32, 33: EINVAL, glibc's own
        }
        if (plan->grouping == CHL_SPAWN_NEW_GROUP && setpgid(0, 0) != 0) chl_spawn_fail(channel, CHL_SPAWN_STEP_GROUP);
        if (plan->grouping == CHL_SPAWN_NEW_SESSION && setsid() < 0) chl_spawn_fail(channel, CHL_SPAWN_STEP_GROUP);
        if (plan->death_signal > 0) {
            if (prctl(PR_SET_PDEATHSIG, plan->death_signal) != 0) chl_spawn_fail(channel, CHL_SPAWN_STEP_DEATH_SIGNAL);
            // The parent died before the request took effect: nobody will ever send it.
            if (getppid() != parent) _exit(127);
        }
        if (plan->directory != NULL && chdir(plan->directory) != 0) chl_spawn_fail(channel, CHL_SPAWN_STEP_DIRECTORY);
        sigprocmask(SIG_SETMASK, &empty, NULL);
        execve(plan->path, plan->argv, plan->envp);
        chl_spawn_fail(channel, CHL_SPAWN_STEP_EXEC);
    }
    int saved = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    close(report[1]);
    if (pid < 0) {
        close(report[0]);
        return saved;
    }

    // End of file: the exec closed the pipe. A report: a step failed and the child exited.
    struct chl_spawn_report message;
    ssize_t got;
    do { got = read(report[0], &message, sizeof message); } while (got < 0 && errno == EINTR);
    close(report[0]);
    if (got == (ssize_t)sizeof message) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        *failed_step = message.step;
        return message.error;
    }
    *child = pid;
    return 0;
}
