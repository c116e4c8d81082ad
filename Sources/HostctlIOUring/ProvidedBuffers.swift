import CHostctlIOUring
import Glibc

/// The receive buffers of one ring: `count` buffers of `size` bytes in one allocation,
/// registered as a provided-buffer ring. The kernel takes one per receive completion;
/// each goes back (`recycle`) as soon as its bytes have been copied out, so a busy loop
/// needs only as many as completions arrive per batch.
final class ProvidedBuffers {
    let group: UInt16
    let size: Int
    private let memory: UnsafeMutableRawPointer
    private let ring: UnsafeMutablePointer<chu_buf_ring>
    /// Strong: the buffer ring must be unregistered before the ring itself goes.
    private let uring: IOUring
    /// Buffers added since the tail was last published.
    private var unpublished: UInt32 = 0

    init(uring: IOUring, group: UInt16, count: Int, size: Int) throws(IOUringError) {
        precondition(count > 0 && count & (count - 1) == 0 && count <= 32768, "a power of two, at most 32768")
        self.uring = uring
        self.group = group
        self.size = size
        memory = .allocate(byteCount: count * size, alignment: 4096)
        ring = .allocate(capacity: 1)
        let result = chu_buf_ring_register(uring.ring, ring, UInt32(count), group)
        guard result == 0 else {
            memory.deallocate()
            ring.deallocate()
            throw IOUringError.bufferRing(errno: -result)
        }
        for id in 0..<count { add(UInt16(id)) }
        publish()
    }

    deinit {
        chu_buf_ring_unregister(uring.ring, ring)
        ring.deallocate()
        memory.deallocate()
    }

    /// The bytes a completion delivered in buffer `id`.
    @inline(__always)
    func bytes(id: UInt16, count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: memory + Int(id) * size, count: count)
    }

    /// Gives buffer `id` back to the kernel (published with the next `publish()`).
    @inline(__always)
    func recycle(_ id: UInt16) {
        add(id)
    }

    /// Makes the recycled buffers visible to the kernel: once per batch of completions.
    func publish() {
        guard unpublished > 0 else { return }
        chu_buf_ring_advance(ring, unpublished)
        unpublished = 0
    }

    private func add(_ id: UInt16) {
        chu_buf_ring_add(ring, memory + Int(id) * size, UInt32(size), id, unpublished)
        unpublished += 1
    }
}
