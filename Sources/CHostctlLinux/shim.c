#define _GNU_SOURCE
#include "CHostctlLinux.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int chl_spawn_add_chdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

int chl_spawn_add_closefrom(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}

short chl_spawn_flag_setsid(void) {
    return POSIX_SPAWN_SETSID;
}

int chl_signalfd(const sigset_t *mask) {
    return signalfd(-1, mask, SFD_NONBLOCK | SFD_CLOEXEC);
}

int chl_signalfd_read(int fd, struct chl_signal_record *out) {
    struct signalfd_siginfo info;
    for (;;) {
        ssize_t n = read(fd, &info, sizeof info);
        if (n == (ssize_t)sizeof info) {
            out->signo = (int32_t)info.ssi_signo;
            out->code = info.ssi_code;
            out->pid = (int32_t)info.ssi_pid;
            return 1;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
        if (n >= 0) errno = EIO; // a short read from signalfd never happens; treat as an error
        return -1;
    }
}

int chl_signal_count(void) {
    return NSIG;
}

int chl_terminal_columns(int fd) {
    struct winsize size;
    if (ioctl(fd, TIOCGWINSZ, &size) != 0) return 0;
    return size.ws_col;
}

int chl_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int chl_pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    errno = ENOSYS;
    return -1;
#endif
}

int chl_wait_exited(int status) { return WIFEXITED(status); }
int chl_wait_exit_code(int status) { return WEXITSTATUS(status); }
int chl_wait_signaled(int status) { return WIFSIGNALED(status); }
int chl_wait_term_signal(int status) { return WTERMSIG(status); }
