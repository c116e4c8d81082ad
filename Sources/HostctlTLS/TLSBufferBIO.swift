import CHostctlOpenSSL
import HostctlCore

/// The buffers an engine call lends to OpenSSL: ciphertext to read, and where to put
/// ciphertext it writes. Set for the length of one engine call, nil otherwise.
struct TLSBufferBinding {
    var input: Unmanaged<ByteBuffer>?
    var output: Unmanaged<ByteBuffer>?
}

/// A BIO of our own over the layer's ByteBuffers, instead of a pair of memory BIOs: OpenSSL
/// reads ciphertext straight from the buffer the transport received into, and writes records
/// straight into the buffer the transport will send, so each direction saves one copy (a
/// memory BIO would copy into its own storage, then out again).
///
/// Reads take what the input holds and report "retry" when it is empty (SSL_ERROR_WANT_READ).
/// Writes always succeed: the output grows, so OpenSSL never wants to write (no WANT_WRITE
/// for the layer to handle); the layer bounds it by how much plaintext it hands over at once.
enum TLSBufferBIO {
    /// One method table for the process (OpenSSL reference-counts nothing here; it lives forever).
    nonisolated(unsafe) static let method: OpaquePointer = {
        guard let method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "hostctl buffers") else {
            fatalError("BIO_meth_new failed")
        }
        BIO_meth_set_read_ex(method, read)
        BIO_meth_set_write_ex(method, write)
        BIO_meth_set_ctrl(method, control)
        BIO_meth_set_create(method, { bio in
            BIO_set_init(bio, 1)
            return 1
        })
        BIO_meth_set_destroy(method, { _ in 1 })
        return method
    }()

    /// A BIO reading and writing through `binding` (owned by the engine, which outlives it).
    static func make(binding: UnsafeMutablePointer<TLSBufferBinding>) -> OpaquePointer? {
        guard let bio = BIO_new(method) else { return nil }
        BIO_set_data(bio, UnsafeMutableRawPointer(binding))
        return bio
    }

    private static func binding(_ bio: OpaquePointer?) -> UnsafeMutablePointer<TLSBufferBinding> {
        BIO_get_data(bio)!.assumingMemoryBound(to: TLSBufferBinding.self)
    }

    private static let read: @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>?, Int, UnsafeMutablePointer<Int>?) -> Int32 = {
        bio, destination, length, readCount in
        chossl_bio_clear_retry_flags(bio)
        guard let input = binding(bio).pointee.input?.takeUnretainedValue(), input.readableCount > 0, let destination else {
            chossl_bio_set_retry_read(bio)
            readCount?.pointee = 0
            return 0
        }
        let count = min(length, input.readableCount)
        UnsafeMutableRawPointer(destination).copyMemory(from: input.readableBytes.baseAddress!, byteCount: count)
        input.consume(count)
        readCount?.pointee = count
        return 1
    }

    private static let write: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, Int, UnsafeMutablePointer<Int>?) -> Int32 = {
        bio, source, length, written in
        chossl_bio_clear_retry_flags(bio)
        guard let output = binding(bio).pointee.output?.takeUnretainedValue(), let source else {
            // Only if OpenSSL writes outside an engine call, which it does not: fail loudly.
            written?.pointee = 0
            return 0
        }
        output.append(UnsafeRawBufferPointer(start: source, count: length))
        written?.pointee = length
        return 1
    }

    private static let control: @convention(c) (OpaquePointer?, Int32, Int, UnsafeMutableRawPointer?) -> Int = {
        bio, command, _, _ in
        switch command {
        case BIO_CTRL_FLUSH: return 1
        case BIO_CTRL_PENDING: return binding(bio).pointee.input?.takeUnretainedValue().readableCount ?? 0
        case BIO_CTRL_WPENDING: return 0
        default: return 0
        }
    }
}
