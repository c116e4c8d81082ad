#define _GNU_SOURCE
#include "CHostctlLinuxFiles.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

int chl_inotify_init(void) {
    return inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
}

int chl_inotify_watch_directory(int fd, const char *path) {
    uint32_t mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB | IN_MODIFY
        | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
    return inotify_add_watch(fd, path, mask);
}

int chl_inotify_drain(int fd) {
    // Events are variable-length; a buffer aligned for the struct holds many at a time.
    char buffer[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    int events = 0;
    for (;;) {
        ssize_t count = read(fd, buffer, sizeof buffer);
        if (count < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return events;
            return -1;
        }
        if (count == 0) return events;
        for (char *cursor = buffer; cursor < buffer + count;) {
            const struct inotify_event *event = (const struct inotify_event *)cursor;
            events++;
            cursor += sizeof(struct inotify_event) + event->len;
        }
    }
}

int chl_open_beneath(int directory, const char *path, int allow_escaping_links) {
#ifdef SYS_openat2
    struct open_how how = {0};
    how.flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;
    how.resolve = RESOLVE_NO_MAGICLINKS | (allow_escaping_links ? 0 : RESOLVE_BENEATH);
    for (;;) {
        long fd = syscall(SYS_openat2, directory, path, &how, sizeof how);
        if (fd >= 0 || errno != EINTR) return (int)fd;
    }
#else
    (void)directory; (void)path; (void)allow_escaping_links;
    errno = ENOSYS;
    return -1;
#endif
}

int chl_open_directory(const char *path) {
    return open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

int64_t chl_file_system_type(int fd) {
    struct statfs info;
    if (fstatfs(fd, &info) != 0) return -1;
    return (int64_t)info.f_type;
}
