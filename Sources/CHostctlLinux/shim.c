#define _GNU_SOURCE
#include "CHostctlLinux.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

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

static volatile int chl_shutdown_fd = -1;

static void chl_shutdown_handler(int signo) {
    int saved = errno;
    unsigned char byte = (unsigned char)signo;
    if (chl_shutdown_fd >= 0) {
        ssize_t ignored = write(chl_shutdown_fd, &byte, 1);
        (void)ignored;
    }
    errno = saved;
}

int chl_install_shutdown_signals(int fd) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = chl_shutdown_handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    chl_shutdown_fd = fd;
    if (sigaction(SIGINT, &action, NULL) != 0) return -1;
    if (sigaction(SIGTERM, &action, NULL) != 0) return -1;
    return 0;
}

void chl_set_thread_name(const char *name) {
    pthread_setname_np(pthread_self(), name);
}

int chl_epoll_create(void) {
    return epoll_create1(EPOLL_CLOEXEC);
}

int chl_epoll_add(int epfd, int fd, uint32_t events, uint64_t data) {
    struct epoll_event event = { .events = events, .data.u64 = data };
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event);
}

int chl_epoll_modify(int epfd, int fd, uint32_t events, uint64_t data) {
    struct epoll_event event = { .events = events, .data.u64 = data };
    return epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &event);
}

int chl_epoll_remove(int epfd, int fd) {
    return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
}

int chl_epoll_wait(int epfd, uint32_t *events, uint64_t *data, int max_events, int timeout_ms) {
    struct epoll_event ready[256];
    if (max_events > 256) max_events = 256;
    int count = epoll_wait(epfd, ready, max_events, timeout_ms);
    for (int i = 0; i < count; i++) {
        events[i] = ready[i].events;
        data[i] = ready[i].data.u64;
    }
    return count;
}

int chl_eventfd(void) {
    return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

int chl_accept(int fd, void *address, uint32_t *length) {
    socklen_t size = *length;
    int accepted = accept4(fd, (struct sockaddr *)address, &size, SOCK_NONBLOCK | SOCK_CLOEXEC);
    *length = size;
    return accepted;
}

int chl_stream_socket(int family) {
    return socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

int chl_available_cpus(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return (int)sysconf(_SC_NPROCESSORS_ONLN);
    int count = CPU_COUNT(&set);
    return count > 0 ? count : 1;
}

int chl_release_free_memory(void) {
    return malloc_trim(0);
}
