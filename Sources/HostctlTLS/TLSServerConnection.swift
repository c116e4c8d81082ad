import CHostctlOpenSSL
import HostctlCore

/// The server side of one TLS connection, sans I/O: ciphertext in, plaintext out, and the
/// other way. It owns no descriptor and starts no thread; the layer that drives it lends it
/// buffers for the length of each call.
///
/// Buffers. `input` holds ciphertext the transport received: the engine consumes from its
/// readable bytes as OpenSSL takes them (a partial record is taken too: OpenSSL keeps it).
/// `output` receives every byte to send (handshake flights, session tickets, alerts,
/// close_notify, records): the engine appends, so it never asks to wait for space. Neither is
/// kept after the call returns. Plaintext is read into memory the caller points at (the
/// protocol's receive space), and written from memory the caller points at.
///
/// Calls, all on the connection's loop thread:
/// 1. `handshake(input:output:)` after each receive until it returns true; send `output`.
/// 2. Then `read(input:into:output:)` until `.needsInput`, and `write(_:output:)` per
///    plaintext to send; send `output` whenever it is not empty.
/// 3. `close(output:)` to end politely (close_notify). When the peer's input ends,
///    `inputEnded()` says whether that was clean.
///
/// Any call may throw a `TLSFailure`; `output` then holds what the peer should be told (an
/// alert, or the 400 answer to plain HTTP): send it, then close. The engine is finished:
/// every later call throws the same failure.
///
/// ```swift
/// let tls = try TLSServerConnection(context: context)
/// if try tls.handshake(input: ciphertext, output: outgoing) {
///     while case .plaintext(let count) = try tls.read(input: ciphertext, into: space, output: outgoing) { … }
/// }
/// ```
public final class TLSServerConnection {
    public let context: TLSServerContext
    @exclusivity(unchecked) private var ssl: OpaquePointer
    private let binding: UnsafeMutablePointer<TLSBufferBinding>

    /// False until the handshake completes: the layer's handshake timeout (Kestrel's 10 s
    /// `HandshakeTimeout`) runs while it is false.
    @exclusivity(unchecked) public private(set) var isHandshakeComplete = false
    /// What the handshake agreed on; nil until it completes.
    @exclusivity(unchecked) public private(set) var info: TLSConnectionInfo?
    /// The certificate this connection was served with (kept across a reload of the store).
    @exclusivity(unchecked) public internal(set) var certificate: TLSCertificate?

    @exclusivity(unchecked) private var failure: TLSFailure?
    @exclusivity(unchecked) private var sawFirstByte = false
    @exclusivity(unchecked) private var closeNotifyReceived = false
    @exclusivity(unchecked) private var closeNotifySent = false
    // Set by the callbacks during an OpenSSL call (TLSCallbacks).
    @exclusivity(unchecked) var callbackFailure: TLSFailure.Reason?
    @exclusivity(unchecked) var alertSent: TLSAlert?
    @exclusivity(unchecked) var renegotiationAttempted = false

    public init(context: TLSServerContext) throws(TLSFailure) {
        self.context = context
        binding = .allocate(capacity: 1)
        binding.initialize(to: TLSBufferBinding())
        guard let ssl = SSL_new(context.context), let bio = TLSBufferBIO.make(binding: binding) else {
            binding.deallocate()
            throw TLSFailure(.internalError("OpenSSL could not create a connection: \(OpenSSLErrors.drain())"))
        }
        self.ssl = ssl
        SSL_set_bio(ssl, bio, bio)
        SSL_set_accept_state(ssl)
        SSL_set_ex_data(ssl, 0, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        SSL_free(ssl)
        binding.deinitialize(count: 1)
        binding.deallocate()
    }

    // MARK: Handshake

    /// Advances the handshake with the ciphertext in `input`. Returns true once it is complete
    /// (`info` is then set), false when it needs more input.
    public func handshake(input: ByteBuffer, output: ByteBuffer) throws(TLSFailure) -> Bool {
        if let failure { throw failure }
        if isHandshakeComplete { return true }
        if !sawFirstByte {
            guard input.readableCount > 0 else { return false }
            sawFirstByte = true
            if PlainHTTPDetection.isPlainHTTP(firstByte: input.readableBytes[0]) {
                output.append(PlainHTTPDetection.response)
                throw finish(TLSFailure(.plainHTTPRequest))
            }
        }
        bind(input: input, output: output)
        defer { unbind() }
        OpenSSLErrors.clearBeforeCall()
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            isHandshakeComplete = true
            info = makeInfo()
            return true
        }
        let error = SSL_get_error(ssl, result)
        if error == SSL_ERROR_WANT_READ { return false }
        throw finish(TLSFailure(classify(error), alertSent: alertSent))
    }

    // MARK: Data

    public enum ReadResult: Equatable, Sendable {
        /// This many plaintext bytes were written at the start of the space given.
        case plaintext(Int)
        /// Everything received so far is consumed; more ciphertext is needed.
        case needsInput
        /// The peer sent close_notify: no more plaintext will come.
        case closed
    }

    /// Decrypts into `plaintext` (which must not be empty). Call again while it returns
    /// `.plaintext`: one record may fill the space and leave more (`hasBufferedData`).
    /// `output` may get bytes too (an alert, or a key update answer in TLS 1.3).
    public func read(input: ByteBuffer, into plaintext: UnsafeMutableRawBufferPointer, output: ByteBuffer) throws(TLSFailure) -> ReadResult {
        precondition(isHandshakeComplete, "read before the handshake completed")
        precondition(!plaintext.isEmpty, "read into no space")
        if let failure { throw failure }
        if closeNotifyReceived { return .closed }
        bind(input: input, output: output)
        defer { unbind() }
        OpenSSLErrors.clearBeforeCall()
        var count = 0
        let ok = SSL_read_ex(ssl, plaintext.baseAddress, plaintext.count, &count)
        if renegotiationAttempted {
            _ = SSL_shutdown(ssl)
            throw finish(TLSFailure(.renegotiationRefused))
        }
        if ok == 1 { return .plaintext(count) }
        switch SSL_get_error(ssl, 0) {
        case SSL_ERROR_WANT_READ:
            return .needsInput
        case SSL_ERROR_ZERO_RETURN:
            closeNotifyReceived = true
            return .closed
        case let error:
            throw finish(TLSFailure(classify(error), alertSent: alertSent))
        }
    }

    /// Encrypts all of `plaintext` into records appended to `output` (16 KiB of plaintext
    /// per record at most). The layer bounds `output` by how much it hands over per call.
    public func write(_ plaintext: UnsafeRawBufferPointer, output: ByteBuffer) throws(TLSFailure) {
        precondition(isHandshakeComplete, "write before the handshake completed")
        if let failure { throw failure }
        guard !plaintext.isEmpty else { return }
        bind(input: nil, output: output)
        defer { unbind() }
        OpenSSLErrors.clearBeforeCall()
        var written = 0
        if SSL_write_ex(ssl, plaintext.baseAddress, plaintext.count, &written) == 1, written == plaintext.count { return }
        throw finish(TLSFailure(classify(SSL_get_error(ssl, 0)), alertSent: alertSent))
    }

    /// Whether OpenSSL holds bytes already taken from `input` (a decrypted record that did not
    /// fit, or records read ahead): the layer reads again before waiting for the socket.
    public var hasBufferedData: Bool { SSL_has_pending(ssl) == 1 }

    // MARK: Ending

    /// Appends close_notify to `output` (once; nothing before the handshake completes or after
    /// a failure). Send it, then close the transport: waiting for the peer's close_notify is
    /// not needed (RFC 8446 §6.1 lets the initiator close at once).
    public func close(output: ByteBuffer) {
        guard isHandshakeComplete, failure == nil, !closeNotifySent else { return }
        closeNotifySent = true
        bind(input: nil, output: output)
        defer { unbind() }
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    /// The transport reports that the peer's input ended. Returns nil when that was clean
    /// (after close_notify), else why not: during the handshake it is a failure; after it,
    /// a truncation HTTP's own framing will judge (`closedWithoutCloseNotify`).
    public func inputEnded() -> TLSFailure? {
        if let failure { return failure }
        if closeNotifyReceived { return nil }
        if !isHandshakeComplete { return finish(TLSFailure(.closedDuringHandshake)) }
        return TLSFailure(.closedWithoutCloseNotify)
    }

    /// Gives OpenSSL's record buffers back now (it also does so by itself whenever they are
    /// empty: SSL_MODE_RELEASE_BUFFERS). False when they hold data still to be read or sent.
    @discardableResult
    public func releaseBuffers() -> Bool { SSL_free_buffers(ssl) == 1 }

    // MARK: Internals

    private func bind(input: ByteBuffer?, output: ByteBuffer) {
        binding.pointee.input = input.map { Unmanaged.passUnretained($0) }
        binding.pointee.output = Unmanaged.passUnretained(output)
    }

    private func unbind() {
        binding.pointee.input = nil
        binding.pointee.output = nil
    }

    private func finish(_ failure: TLSFailure) -> TLSFailure {
        self.failure = failure
        return failure
    }

    /// Turns OpenSSL's verdict into a reason. Callbacks know best (they set `callbackFailure`
    /// before failing the handshake); else the oldest error in the queue decides.
    private func classify(_ sslError: Int32) -> TLSFailure.Reason {
        if let callbackFailure {
            ERR_clear_error()
            return callbackFailure
        }
        if renegotiationAttempted { return .renegotiationRefused }
        let code = OpenSSLErrors.takeFirst()
        if code == 0 {
            return sslError == SSL_ERROR_SYSCALL
                ? (isHandshakeComplete ? .closedWithoutCloseNotify : .closedDuringHandshake)
                : .internalError("OpenSSL error \(sslError) with nothing queued")
        }
        let reason = chossl_err_reason(code)
        if reason >= SSL_AD_REASON_OFFSET && reason < SSL_AD_REASON_OFFSET + 256 {
            return .alertReceived(TLSAlert(rawValue: UInt8(reason - SSL_AD_REASON_OFFSET)))
        }
        switch reason {
        case SSL_R_WRONG_VERSION_NUMBER, SSL_R_PACKET_LENGTH_TOO_LONG, SSL_R_HTTP_REQUEST, SSL_R_HTTPS_PROXY_REQUEST,
             SSL_R_UNKNOWN_PROTOCOL, SSL_R_ENCRYPTED_LENGTH_TOO_LONG, SSL_R_RECORD_LENGTH_MISMATCH, SSL_R_UNEXPECTED_RECORD:
            return isHandshakeComplete ? .protocolViolation(OpenSSLErrors.text(of: code)) : .notTLS
        case SSL_R_UNSUPPORTED_PROTOCOL, SSL_R_VERSION_TOO_LOW:
            return .unsupportedProtocolVersion
        case SSL_R_NO_SHARED_CIPHER, SSL_R_NO_SUITABLE_KEY_SHARE, SSL_R_NO_SHARED_GROUPS:
            return .noSharedCipher
        case SSL_R_NO_APPLICATION_PROTOCOL:
            return .noApplicationProtocol
        case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
            return .clientCertificateRequired
        case SSL_R_CERTIFICATE_VERIFY_FAILED:
            return .clientCertificateRejected(String(cString: X509_verify_cert_error_string(SSL_get_verify_result(ssl))))
        case SSL_R_UNEXPECTED_EOF_WHILE_READING:
            return isHandshakeComplete ? .closedWithoutCloseNotify : .closedDuringHandshake
        default:
            return .protocolViolation(OpenSSLErrors.text(of: code))
        }
    }

    private func makeInfo() -> TLSConnectionInfo {
        var alpn: UnsafePointer<UInt8>?
        var alpnLength: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &alpn, &alpnLength)
        let applicationProtocol = alpn.map { String(decoding: UnsafeBufferPointer(start: $0, count: Int(alpnLength)), as: UTF8.self) }
        var clientCertificate: [UInt8]?
        if let peer = SSL_get0_peer_certificate(ssl) { clientCertificate = X509Encoding.der(peer) }
        return TLSConnectionInfo(
            protocolVersion: SSL_version(ssl) == TLS1_3_VERSION ? .tls13 : .tls12,
            cipherSuite: SSL_get_current_cipher(ssl).flatMap { SSL_CIPHER_standard_name($0) }.map { String(cString: $0) } ?? "",
            applicationProtocol: alpnLength > 0 ? applicationProtocol : nil,
            serverName: chossl_get_servername(ssl).map { String(cString: $0).lowercased() },
            clientCertificate: clientCertificate,
            isResumed: chossl_session_reused(ssl) == 1
        )
    }
}
