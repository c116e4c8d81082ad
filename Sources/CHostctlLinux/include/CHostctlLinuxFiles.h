#ifndef CHOSTCTL_LINUX_FILES_H
#define CHOSTCTL_LINUX_FILES_H

// File watching and confined opening: what configuration reloading and static files need
// that Swift's Glibc module does not import (inotify, openat2, fstatfs). Declarations only, as in
// CHostctlLinux.h.

#include <stdint.h>

/// inotify_init1(IN_NONBLOCK | IN_CLOEXEC).
int chl_inotify_init(void);

/// Watches a directory for what replaces or edits a file in it: a write that closes, a
/// rename into or out of it, a creation, a deletion, a change of attributes (editors and
/// Kubernetes' ConfigMap volumes swap files by rename or symlink). Returns the watch
/// descriptor, or -1 with errno set.
int chl_inotify_watch_directory(int fd, const char *path);

/// Reads and discards every pending event; returns how many there were (0 when none),
/// or -1 with errno set. Which file changed is decided by looking at the files again, so
/// the events' names are not needed.
int chl_inotify_drain(int fd);

/// openat2(2) for reading a file below `directory`: `O_RDONLY | O_NONBLOCK | O_CLOEXEC |
/// O_NOCTTY` (non-blocking, so a FIFO cannot hang the caller in open). Unless
/// `allow_escaping_links`, resolution must stay beneath `directory` (RESOLVE_BENEATH: no
/// "..", absolute path or symbolic link leads out of it, checked by the kernel as it
/// walks); magic links (/proc/self/fd/N) are always refused. -1 with errno set on
/// failure: EXDEV for an escape, ENOSYS or EPERM where openat2 is missing or filtered.
int chl_open_beneath(int directory, const char *path, int allow_escaping_links);

/// open(path, O_PATH | O_DIRECTORY | O_CLOEXEC): a handle on a directory to resolve below.
int chl_open_directory(const char *path);

/// The file system type (statfs(2)'s f_type magic) of the open file `fd`, or -1 with errno set.
int64_t chl_file_system_type(int fd);

#endif
