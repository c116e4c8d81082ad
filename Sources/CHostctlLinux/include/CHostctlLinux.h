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

#endif
