#ifndef CHOSTCTL_IOURING_H
#define CHOSTCTL_IOURING_H

// io_uring by hand (no liburing): the syscalls, the rings' shared memory, and the
// memory ordering between this process and the kernel on those rings. Swift's Atomic
// cannot wrap memory the kernel mapped for us, so every access to a word the kernel
// also touches goes through the small inline helpers below, each saying which order it
// needs and why. One ring is used by one thread only (IORING_SETUP_SINGLE_ISSUER), so
// the fields that only this process writes (sqe_tail, the buffer ring's local tail)
// need no atomics among our own threads.

#include <linux/io_uring.h>
#include <stdint.h>
#include <string.h>

// Constants newer than the 6.1 UAPI header this system ships.
#ifndef IORING_SETUP_NO_SQARRAY
#define IORING_SETUP_NO_SQARRAY (1U << 16)
#endif

/// One ring's mappings and the indexes this process keeps for it.
struct chu_ring {
    int fd;

    // Submission queue: the kernel reads entries up to *sq_ktail and advances *sq_khead.
    unsigned *sq_khead;
    unsigned *sq_ktail;
    unsigned *sq_kflags;
    unsigned sq_mask;
    unsigned sq_entries;
    struct io_uring_sqe *sqes;
    /// The next entry to fill; entries before it and at or after *sq_ktail are filled
    /// but not yet published to the kernel.
    unsigned sqe_tail;

    // Completion queue: the kernel writes entries up to *cq_ktail; we advance *cq_khead.
    unsigned *cq_khead;
    unsigned *cq_ktail;
    unsigned *cq_koverflow;
    unsigned cq_mask;
    unsigned cq_entries;
    struct io_uring_cqe *cqes;

    void *ring_memory;
    size_t ring_memory_size;
    void *sqe_memory;
    size_t sqe_memory_size;
};

/// Creates a ring of `entries` submission and `cq_entries` completion entries with `flags`
/// (IORING_SETUP_*) and maps it. Returns 0, or -errno (from io_uring_setup or mmap).
int chu_ring_init(struct chu_ring *ring, unsigned entries, unsigned cq_entries, unsigned flags);

/// Unmaps and closes the ring. The kernel cancels whatever is still in flight.
void chu_ring_exit(struct chu_ring *ring);

/// Enables a ring created with IORING_SETUP_R_DISABLED. With SINGLE_ISSUER, the calling
/// thread becomes the only one allowed to submit. Returns 0 or -errno.
int chu_ring_enable(struct chu_ring *ring);

/// Publishes the filled entries and enters the kernel: submits them, runs completion work
/// (which DEFER_TASKRUN defers to this call), and waits until `wait_nr` completions are
/// ready or `timeout_ns` passes (a negative timeout: no limit). Returns the number
/// submitted, or -errno (-ETIME when the timeout passed, -EINTR on a signal).
int chu_submit_and_wait(struct chu_ring *ring, unsigned wait_nr, long long timeout_ns);

/// Which opcodes the kernel supports: `supported[op]` is set to 1 for each (up to `count`).
/// Returns 0 or -errno.
int chu_probe_opcodes(struct chu_ring *ring, unsigned char *supported, unsigned count);

// MARK: Submission

/// The next free submission entry, zeroed, or NULL when the queue is full (submit first).
static inline struct io_uring_sqe *chu_get_sqe(struct chu_ring *ring) {
    // Acquire pairs with the kernel's release of the head once it has read the entries
    // before it: only then may those slots be overwritten. (Without SQPOLL the kernel
    // reads them inside io_uring_enter, but the pairing costs nothing on x86 and keeps
    // this correct whoever consumes the queue.)
    unsigned head = __atomic_load_n(ring->sq_khead, __ATOMIC_ACQUIRE);
    if (ring->sqe_tail - head >= ring->sq_entries) return NULL;
    struct io_uring_sqe *sqe = &ring->sqes[ring->sqe_tail & ring->sq_mask];
    ring->sqe_tail += 1;
    memset(sqe, 0, sizeof(*sqe));
    return sqe;
}

/// Turns the entries filled since the last submission whose user data is `user_data` into
/// no-ops (completing with `nop_user_data`), so the kernel never starts them; returns how
/// many. What was already submitted is the kernel's: only a cancel reaches it.
static inline unsigned chu_withdraw_unsubmitted(struct chu_ring *ring, uint64_t user_data, uint64_t nop_user_data) {
    unsigned withdrawn = 0;
    // Only this process writes the tail: a plain read sees its own last store.
    for (unsigned index = *ring->sq_ktail; index != ring->sqe_tail; index++) {
        struct io_uring_sqe *sqe = &ring->sqes[index & ring->sq_mask];
        if (sqe->user_data != user_data) continue;
        memset(sqe, 0, sizeof(*sqe));
        sqe->opcode = IORING_OP_NOP;
        sqe->user_data = nop_user_data;
        withdrawn += 1;
    }
    return withdrawn;
}

/// The SQ flags word: IORING_SQ_CQ_OVERFLOW (completions wait in the kernel's overflow
/// list: enter to flush them) and IORING_SQ_TASKRUN. A hint, read relaxed: acting on a
/// stale value only costs one more, or one later, io_uring_enter.
static inline unsigned chu_sq_flags(const struct chu_ring *ring) {
    return __atomic_load_n(ring->sq_kflags, __ATOMIC_RELAXED);
}

// MARK: Completion

/// How many completions are ready, and the index of the first (`*head`).
static inline unsigned chu_cq_ready(const struct chu_ring *ring, unsigned *head) {
    // Only this thread writes the head, so a plain read sees our own last store.
    *head = *ring->cq_khead;
    // Acquire pairs with the kernel's release of the tail: the entries it wrote before
    // publishing the tail must be visible before we read them.
    unsigned tail = __atomic_load_n(ring->cq_ktail, __ATOMIC_ACQUIRE);
    return tail - *head;
}

static inline const struct io_uring_cqe *chu_cqe_at(const struct chu_ring *ring, unsigned index) {
    return &ring->cqes[index & ring->cq_mask];
}

/// Gives `count` read completions back to the kernel.
static inline void chu_cq_advance(struct chu_ring *ring, unsigned count) {
    // Release: our reads of those entries must be done before the kernel can see their
    // slots as free and write new completions into them.
    __atomic_store_n(ring->cq_khead, *ring->cq_khead + count, __ATOMIC_RELEASE);
}

/// Completions the kernel had to drop (only without IORING_FEAT_NODROP): should stay 0.
static inline unsigned chu_cq_overflow_count(const struct chu_ring *ring) {
    return __atomic_load_n(ring->cq_koverflow, __ATOMIC_RELAXED);
}

// MARK: Operations (each fills a zeroed entry from chu_get_sqe)

/// Multishot accept: one completion per connection (res = the new descriptor, close-on-exec)
/// for as long as IORING_CQE_F_MORE is set. No address is asked for: the next connection
/// could overwrite it before it is read (io_uring_prep_multishot_accept(3)).
static inline void chu_prep_multishot_accept(struct io_uring_sqe *sqe, int fd, uint64_t user_data) {
    sqe->opcode = IORING_OP_ACCEPT;
    sqe->fd = fd;
    sqe->accept_flags = 02000000; // SOCK_CLOEXEC
    sqe->ioprio = IORING_ACCEPT_MULTISHOT;
    sqe->user_data = user_data;
}

/// Multishot receive into buffers the kernel picks from group `group`: one completion per
/// chunk (res = bytes, the buffer id in the flags' upper 16 bits) while IORING_CQE_F_MORE.
static inline void chu_prep_multishot_recv(struct io_uring_sqe *sqe, int fd, uint16_t group, uint64_t user_data) {
    sqe->opcode = IORING_OP_RECV;
    sqe->fd = fd;
    sqe->flags = IOSQE_BUFFER_SELECT;
    sqe->buf_group = group;
    sqe->ioprio = IORING_RECV_MULTISHOT;
    sqe->user_data = user_data;
}

/// A copying send with send(2)'s `flags` (the caller's include MSG_NOSIGNAL: a peer that
/// went away is an error, not SIGPIPE). It may send less than `length`: the caller sends the rest.
static inline void chu_prep_send(struct io_uring_sqe *sqe, int fd, const void *bytes, unsigned length, int flags, uint64_t user_data) {
    sqe->opcode = IORING_OP_SEND;
    sqe->fd = fd;
    sqe->addr = (uint64_t)(uintptr_t)bytes;
    sqe->len = length;
    sqe->msg_flags = (uint32_t)flags;
    sqe->user_data = user_data;
}

/// Connects `fd` to the `length`-byte socket address at `address`. The kernel copies the
/// address when the entry is submitted: it must stay valid until then.
static inline void chu_prep_connect(struct io_uring_sqe *sqe, int fd, const void *address, unsigned length, uint64_t user_data) {
    sqe->opcode = IORING_OP_CONNECT;
    sqe->fd = fd;
    sqe->addr = (uint64_t)(uintptr_t)address;
    sqe->off = length;
    sqe->user_data = user_data;
}

/// One completion once `fd` is ready for `events` (POLLOUT: a full socket can take more).
static inline void chu_prep_poll_add(struct io_uring_sqe *sqe, int fd, uint32_t events, uint64_t user_data) {
    sqe->opcode = IORING_OP_POLL_ADD;
    sqe->fd = fd;
    sqe->poll32_events = events;
    sqe->user_data = user_data;
}

/// A single read (for the wake-up eventfd).
static inline void chu_prep_read(struct io_uring_sqe *sqe, int fd, void *bytes, unsigned length, uint64_t user_data) {
    sqe->opcode = IORING_OP_READ;
    sqe->fd = fd;
    sqe->addr = (uint64_t)(uintptr_t)bytes;
    sqe->len = length;
    sqe->off = (uint64_t)-1; // the file's own position (an eventfd has none)
    sqe->user_data = user_data;
}

/// Cancels every operation on descriptor `fd`.
static inline void chu_prep_cancel_fd(struct io_uring_sqe *sqe, int fd, uint64_t user_data) {
    sqe->opcode = IORING_OP_ASYNC_CANCEL;
    sqe->fd = fd;
    sqe->cancel_flags = IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ALL;
    sqe->user_data = user_data;
}

/// Cancels the operation submitted with `target` as its user data.
static inline void chu_prep_cancel_user_data(struct io_uring_sqe *sqe, uint64_t target, uint64_t user_data) {
    sqe->opcode = IORING_OP_ASYNC_CANCEL;
    sqe->addr = target;
    sqe->user_data = user_data;
}

static inline void chu_prep_nop(struct io_uring_sqe *sqe, uint64_t user_data) {
    sqe->opcode = IORING_OP_NOP;
    sqe->user_data = user_data;
}

// MARK: Provided buffer ring

/// A ring of buffers the kernel picks from when a receive completes (IORING_REGISTER_PBUF_RING).
struct chu_buf_ring {
    struct io_uring_buf_ring *ring;
    size_t ring_size;
    unsigned entries;
    unsigned mask;
    /// Our tail: entries before it have been handed to the kernel.
    uint16_t tail;
    uint16_t group;
};

/// Maps a ring of `entries` (a power of two, at most 32768) and registers it as buffer
/// group `group`. It starts empty. Returns 0 or -errno.
int chu_buf_ring_register(struct chu_ring *ring, struct chu_buf_ring *buffers, unsigned entries, uint16_t group);

/// Unregisters and unmaps the ring (the buffers themselves are the caller's).
void chu_buf_ring_unregister(struct chu_ring *ring, struct chu_buf_ring *buffers);

/// Writes buffer `id` into the slot `offset` past the tail; `chu_buf_ring_advance` publishes it.
static inline void chu_buf_ring_add(struct chu_buf_ring *buffers, void *bytes, unsigned length, uint16_t id, unsigned offset) {
    struct io_uring_buf *slot = &buffers->ring->bufs[(buffers->tail + offset) & buffers->mask];
    slot->addr = (uint64_t)(uintptr_t)bytes;
    slot->len = length;
    slot->bid = id;
}

/// Hands the next `count` added buffers to the kernel.
static inline void chu_buf_ring_advance(struct chu_buf_ring *buffers, unsigned count) {
    buffers->tail = (uint16_t)(buffers->tail + count);
    // Release: the slots written by chu_buf_ring_add must be visible before the kernel
    // sees a tail that covers them. (The tail overlays bufs[0].resv, as in liburing.)
    __atomic_store_n(&buffers->ring->tail, buffers->tail, __ATOMIC_RELEASE);
}

// MARK: Completion fields, named (the CQE layout is the kernel's)

static inline uint16_t chu_cqe_buffer_id(uint32_t flags) { return (uint16_t)(flags >> IORING_CQE_BUFFER_SHIFT); }

#endif
