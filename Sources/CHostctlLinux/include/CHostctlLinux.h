#ifndef CHOSTCTL_LINUX_H
#define CHOSTCTL_LINUX_H

// Declarations only: _GNU_SOURCE must not be defined here, because the header is
// imported by Swift next to Glibc and defining it changes glibc's structs
// (fd_set and friends) so the module no longer matches SwiftGlibc. The .c file
// defines it and forwards to the GNU-only functions.

#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <sys/types.h>

#include "CHostctlLinuxFiles.h"

/// posix_spawn_file_actions_addchdir_np: the child changes directory before exec.
int chl_spawn_add_chdir(posix_spawn_file_actions_t *actions, const char *path);

/// posix_spawn_file_actions_addclosefrom_np: the child closes every descriptor >= from.
int chl_spawn_add_closefrom(posix_spawn_file_actions_t *actions, int from);

/// POSIX_SPAWN_SETSID (a GNU flag): the child starts a new session.
short chl_spawn_flag_setsid(void);

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

#endif
