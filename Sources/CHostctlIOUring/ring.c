#define _GNU_SOURCE
#include "CHostctlIOUring.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int sys_setup(unsigned entries, struct io_uring_params *params) {
    return (int)syscall(__NR_io_uring_setup, entries, params);
}

static int sys_enter(int fd, unsigned to_submit, unsigned min_complete, unsigned flags, void *arg, size_t arg_size) {
    return (int)syscall(__NR_io_uring_enter, fd, to_submit, min_complete, flags, arg, arg_size);
}

static int sys_register(int fd, unsigned opcode, void *arg, unsigned count) {
    return (int)syscall(__NR_io_uring_register, fd, opcode, arg, count);
}

int chu_ring_init(struct chu_ring *ring, unsigned entries, unsigned cq_entries, unsigned flags) {
    memset(ring, 0, sizeof(*ring));
    ring->fd = -1;
    struct io_uring_params params;
    memset(&params, 0, sizeof(params));
    params.flags = flags | IORING_SETUP_CQSIZE;
    params.cq_entries = cq_entries;
    int fd = sys_setup(entries, &params);
    if (fd < 0) return -errno;

    // Every kernel this code accepts (6.1+) maps the SQ and CQ rings as one region.
    if (!(params.features & IORING_FEAT_SINGLE_MMAP)) {
        close(fd);
        return -EOPNOTSUPP;
    }
    size_t sq_size = params.sq_off.array + params.sq_entries * sizeof(unsigned);
    size_t cq_size = params.cq_off.cqes + params.cq_entries * sizeof(struct io_uring_cqe);
    size_t ring_size = sq_size > cq_size ? sq_size : cq_size;
    void *memory = mmap(NULL, ring_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
    if (memory == MAP_FAILED) {
        int error = errno;
        close(fd);
        return -error;
    }
    size_t sqe_size = params.sq_entries * sizeof(struct io_uring_sqe);
    void *sqes = mmap(NULL, sqe_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
    if (sqes == MAP_FAILED) {
        int error = errno;
        munmap(memory, ring_size);
        close(fd);
        return -error;
    }

    char *base = memory;
    ring->fd = fd;
    ring->sq_khead = (unsigned *)(base + params.sq_off.head);
    ring->sq_ktail = (unsigned *)(base + params.sq_off.tail);
    ring->sq_kflags = (unsigned *)(base + params.sq_off.flags);
    ring->sq_mask = *(unsigned *)(base + params.sq_off.ring_mask);
    ring->sq_entries = *(unsigned *)(base + params.sq_off.ring_entries);
    ring->sqes = sqes;
    ring->sqe_tail = *ring->sq_ktail;
    ring->cq_khead = (unsigned *)(base + params.cq_off.head);
    ring->cq_ktail = (unsigned *)(base + params.cq_off.tail);
    ring->cq_koverflow = (unsigned *)(base + params.cq_off.overflow);
    ring->cq_mask = *(unsigned *)(base + params.cq_off.ring_mask);
    ring->cq_entries = *(unsigned *)(base + params.cq_off.ring_entries);
    ring->cqes = (struct io_uring_cqe *)(base + params.cq_off.cqes);
    ring->ring_memory = memory;
    ring->ring_memory_size = ring_size;
    ring->sqe_memory = sqes;
    ring->sqe_memory_size = sqe_size;

    // Entries are always filled in order, so slot i of the indirection array can name
    // entry i once and for all (liburing does the same).
    unsigned *array = (unsigned *)(base + params.sq_off.array);
    for (unsigned i = 0; i < ring->sq_entries; i++) array[i] = i;
    return 0;
}

void chu_ring_exit(struct chu_ring *ring) {
    if (ring->sqe_memory) munmap(ring->sqe_memory, ring->sqe_memory_size);
    if (ring->ring_memory) munmap(ring->ring_memory, ring->ring_memory_size);
    if (ring->fd >= 0) close(ring->fd);
    memset(ring, 0, sizeof(*ring));
    ring->fd = -1;
}

int chu_ring_enable(struct chu_ring *ring) {
    return sys_register(ring->fd, IORING_REGISTER_ENABLE_RINGS, NULL, 0) < 0 ? -errno : 0;
}

int chu_submit_and_wait(struct chu_ring *ring, unsigned wait_nr, long long timeout_ns) {
    unsigned tail = ring->sqe_tail;
    // Release: the entries filled before this store must be visible before the kernel can
    // see the tail that covers them (io_uring_enter orders it too, but it costs nothing).
    __atomic_store_n(ring->sq_ktail, tail, __ATOMIC_RELEASE);
    unsigned to_submit = tail - __atomic_load_n(ring->sq_khead, __ATOMIC_RELAXED);

    // GETEVENTS always: with DEFER_TASKRUN, completions are only posted inside this call.
    unsigned flags = IORING_ENTER_GETEVENTS;
    struct __kernel_timespec timeout;
    struct io_uring_getevents_arg arg;
    void *arg_pointer = NULL;
    size_t arg_size = 0;
    if (timeout_ns >= 0 && wait_nr > 0) {
        timeout.tv_sec = timeout_ns / 1000000000LL;
        timeout.tv_nsec = timeout_ns % 1000000000LL;
        memset(&arg, 0, sizeof(arg));
        arg.ts = (uint64_t)(uintptr_t)&timeout;
        flags |= IORING_ENTER_EXT_ARG;
        arg_pointer = &arg;
        arg_size = sizeof(arg);
    }
    int result = sys_enter(ring->fd, to_submit, wait_nr, flags, arg_pointer, arg_size);
    return result < 0 ? -errno : result;
}

int chu_probe_opcodes(struct chu_ring *ring, unsigned char *supported, unsigned count) {
    size_t size = sizeof(struct io_uring_probe) + 256 * sizeof(struct io_uring_probe_op);
    struct io_uring_probe *probe = calloc(1, size);
    if (!probe) return -ENOMEM;
    int result = sys_register(ring->fd, IORING_REGISTER_PROBE, probe, 256);
    if (result < 0) {
        int error = errno;
        free(probe);
        return -error;
    }
    memset(supported, 0, count);
    for (unsigned i = 0; i < probe->ops_len && i < 256; i++) {
        unsigned op = probe->ops[i].op;
        if (op < count && (probe->ops[i].flags & IO_URING_OP_SUPPORTED)) supported[op] = 1;
    }
    free(probe);
    return 0;
}

int chu_buf_ring_register(struct chu_ring *ring, struct chu_buf_ring *buffers, unsigned entries, uint16_t group) {
    memset(buffers, 0, sizeof(*buffers));
    size_t size = entries * sizeof(struct io_uring_buf);
    // Page-aligned, as the kernel requires: an anonymous mapping is.
    void *memory = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) return -errno;
    struct io_uring_buf_reg registration;
    memset(&registration, 0, sizeof(registration));
    registration.ring_addr = (uint64_t)(uintptr_t)memory;
    registration.ring_entries = entries;
    registration.bgid = group;
    if (sys_register(ring->fd, IORING_REGISTER_PBUF_RING, &registration, 1) < 0) {
        int error = errno;
        munmap(memory, size);
        return -error;
    }
    buffers->ring = memory;
    buffers->ring_size = size;
    buffers->entries = entries;
    buffers->mask = entries - 1;
    buffers->tail = 0;
    buffers->group = group;
    return 0;
}

void chu_buf_ring_unregister(struct chu_ring *ring, struct chu_buf_ring *buffers) {
    if (!buffers->ring) return;
    struct io_uring_buf_reg registration;
    memset(&registration, 0, sizeof(registration));
    registration.bgid = buffers->group;
    sys_register(ring->fd, IORING_UNREGISTER_PBUF_RING, &registration, 1);
    munmap(buffers->ring, buffers->ring_size);
    memset(buffers, 0, sizeof(*buffers));
}
