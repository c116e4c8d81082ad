#ifndef CHOSTCTL_LINUX_H
#define CHOSTCTL_LINUX_H

// Declarations only: _GNU_SOURCE must not be defined here, because the header is
// imported by Swift next to Glibc and defining it changes glibc's structs
// (fd_set and friends) so the module no longer matches SwiftGlibc. The .c file
// defines it and forwards to the GNU-only functions.

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "CHostctlLinuxFiles.h"

// MARK: Spawning (spawn.c)

/// How many descriptors a child can be passed beside its standard streams.
#define CHL_SPAWN_MAX_PASSED 64

static const int CHL_SPAWN_SAME_GROUP = 0;
static const int CHL_SPAWN_NEW_GROUP = 1;
static const int CHL_SPAWN_NEW_SESSION = 2;

/// The step that failed, when chl_spawn fails.
static const int CHL_SPAWN_STEP_FORK = 0;          // in the parent: the report pipe or fork itself
static const int CHL_SPAWN_STEP_DESCRIPTORS = 1;   // moving descriptors into place
static const int CHL_SPAWN_STEP_GROUP = 2;         // setpgid or setsid
static const int CHL_SPAWN_STEP_DEATH_SIGNAL = 3;  // prctl(PR_SET_PDEATHSIG)
static const int CHL_SPAWN_STEP_DIRECTORY = 4;     // chdir
static const int CHL_SPAWN_STEP_EXEC = 5;          // execve

/// What a child starts with. Every pointer must stay valid for the call.
struct chl_spawn_plan {
    const char *path;
    char *const *argv;
    char *const *envp;
    /// NULL: the parent's working directory.
    const char *directory;
    /// Descriptors copied onto 0, 1 and 2; -1 leaves the parent's in place.
    int standard_input;
    int standard_output;
    int standard_error;
    /// Copied onto 3, 4, … in order; every other descriptor from there up is closed.
    const int *passed;
    int passed_count;
    /// CHL_SPAWN_SAME_GROUP, CHL_SPAWN_NEW_GROUP or CHL_SPAWN_NEW_SESSION.
    int grouping;
    /// 0, or the signal the child gets when the calling thread ends (PR_SET_PDEATHSIG):
    /// when the parent dies, by SIGKILL too. Cleared by the kernel when the program is
    /// set-user-ID or gains capabilities.
    int death_signal;
};

/// fork and exec, async-signal-safe in the child: every signal at its default disposition
/// and unblocked, the descriptors of the plan and no other, then the group, the death
/// signal, the directory, and execve (PATH is not searched). Waits until the exec has
/// happened, so failures are reported here: returns 0 and sets *child, or returns the errno
/// of the step it sets in *failed_step (the child is then reaped already).
int chl_spawn(const struct chl_spawn_plan *plan, pid_t *child, int *failed_step);

/// HOSTCTL_TOKEN as this process was started with it, or NULL. When HOSTCTL_PORT and
/// HOSTCTL_TOKEN are both set (the app runs behind the front), a constructor takes the token
/// out of the environment before main, while the process has one thread (front_token.c).
const char *chl_front_token(void);

/// signalfd for `mask`, non-blocking and close-on-exec.
int chl_signalfd(const sigset_t *mask);

/// What hostctl needs from one struct signalfd_siginfo.
struct chl_signal_record {
    int32_t signo;
    int32_t code;
    int32_t pid;
};

/// Reads one record; returns 1 on success, 0 when none is pending, -1 on error (errno set).
int chl_signalfd_read(int fd, struct chl_signal_record *out);

/// The number of signals (NSIG), which glibc hides behind a macro Swift does not import.
int chl_signal_count(void);

/// The width of the terminal on `fd` in columns, or 0 when it is not a terminal.
int chl_terminal_columns(int fd);

/// pipe2(fds, O_CLOEXEC): both ends close-on-exec from birth, so no child inherits them by accident.
int chl_pipe_cloexec(int fds[2]);

/// pidfd_open(2): a descriptor that becomes readable when the process exits, so a
/// child's exit can be polled beside pipes and signals without SIGCHLD. -1 with errno
/// ENOSYS on kernels before 5.3.
int chl_pidfd_open(pid_t pid);

/// The parts of a wait status (the W* macros are function-like and not imported).
int chl_wait_exited(int status);
int chl_wait_exit_code(int status);
int chl_wait_signaled(int status);
int chl_wait_term_signal(int status);

/// Installs SIGINT and SIGTERM handlers that write the signal's number as one byte to
/// `fd` (a non-blocking pipe), the self-pipe trick: the handler is async-signal-safe and
/// works whatever the threads' masks, and a reader thread turns it into a shutdown.
/// Returns 0, or -1 with errno set.
int chl_install_shutdown_signals(int fd);

/// pthread_setname_np for the calling thread (a GNU extension): names show in top and perf.
void chl_set_thread_name(const char *name);

// MARK: epoll, eventfd, accept4 (absent from Swift's Glibc module on 6.3)

static const uint32_t CHL_EPOLLIN = 0x001;
static const uint32_t CHL_EPOLLOUT = 0x004;
static const uint32_t CHL_EPOLLERR = 0x008;
static const uint32_t CHL_EPOLLHUP = 0x010;
static const uint32_t CHL_EPOLLRDHUP = 0x2000;
static const uint32_t CHL_EPOLLET = 1u << 31;

/// epoll_create1(EPOLL_CLOEXEC).
int chl_epoll_create(void);
/// EPOLL_CTL_ADD / MOD with `data` as the event's user data.
int chl_epoll_add(int epfd, int fd, uint32_t events, uint64_t data);
int chl_epoll_modify(int epfd, int fd, uint32_t events, uint64_t data);
int chl_epoll_remove(int epfd, int fd);
/// epoll_wait into two plain arrays (struct epoll_event is packed, which Swift imports awkwardly).
int chl_epoll_wait(int epfd, uint32_t *events, uint64_t *data, int max_events, int timeout_ms);

/// eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC).
int chl_eventfd(void);

/// accept4(fd, address, length, SOCK_NONBLOCK | SOCK_CLOEXEC).
int chl_accept(int fd, void *address, uint32_t *length);

/// A non-blocking, close-on-exec stream socket of `family`.
int chl_stream_socket(int family);

/// CPUs this process may run on (sched_getaffinity), so `taskset -c 0` means one event loop.
int chl_available_cpus(void);

/// malloc_trim(0): hands free heap pages back to the kernel (glibc keeps freed memory for
/// reuse otherwise, so RSS would stay at the high-water mark of a burst of connections).
int chl_release_free_memory(void);

// MARK: The CPU's cycle counter (StampClock)

/// The counter the kernel may keep time by, read without ordering (a stamp needs no fence):
/// x86-64's time-stamp counter, AArch64's virtual counter; 0 where there is none. Inline,
/// so a read is the one instruction.
static inline uint64_t chl_cycle_counter(void) {
#if defined(__x86_64__)
    uint32_t low, high;
    __asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
    return ((uint64_t)high << 32) | low;
#elif defined(__aarch64__)
    uint64_t value;
    __asm__ volatile("mrs %0, cntvct_el0" : "=r"(value));
    return value;
#else
    return 0;
#endif
}

#endif
