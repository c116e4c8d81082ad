import CHostctlOpenSSL
import Glibc
import HostctlSystem

/// How a test client speaks TLS: what it offers, and what it trusts.
public struct TestTLSOptions: Sendable {
    /// Sent as SNI; nil sends none.
    public var serverName: String? = "localhost"
    public var applicationProtocols: [String] = []
    /// A PEM file of the certificates to trust; nil trusts anything (the tests that check
    /// verification name the file).
    public var trustedCertificates: String?
    /// OpenSSL's version numbers (TLS1_2_VERSION…); lower ones relax the security level so
    /// the client really offers them.
    public var minVersion = TLS1_2_VERSION
    public var maxVersion = TLS1_3_VERSION
    /// A client certificate and its key (PEM files).
    public var clientCertificate: (certificate: String, key: String)?
    /// A session from an earlier connection, to resume.
    public var session: TestTLSSession?

    public init() {}
}

/// A TLS session a client can resume (OpenSSL's SSL_SESSION, reference-counted).
public final class TestTLSSession: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { SSL_SESSION_free(pointer) }
}

/// A blocking OpenSSL client over a TestClient's socket.
final class TestTLSConnection {
    let context: OpaquePointer
    let ssl: OpaquePointer

    init(descriptor: Int32, options: TestTLSOptions) throws {
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw TestFailure("SSL_CTX_new failed") }
        self.context = context
        if options.minVersion < TLS1_2_VERSION {
            SSL_CTX_set_security_level(context, 0)
            _ = SSL_CTX_set_cipher_list(context, "DEFAULT:@SECLEVEL=0")
        }
        _ = chossl_ctx_set_min_proto_version(context, options.minVersion)
        _ = chossl_ctx_set_max_proto_version(context, options.maxVersion)
        if let trusted = options.trustedCertificates {
            guard SSL_CTX_load_verify_locations(context, trusted, nil) == 1 else { throw TestFailure("cannot load \(trusted)") }
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        }
        if let (certificate, key) = options.clientCertificate {
            guard SSL_CTX_use_certificate_chain_file(context, certificate) == 1, SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) == 1 else {
                throw TestFailure("cannot load the client certificate \(certificate)")
            }
        }
        guard let ssl = SSL_new(context) else { throw TestFailure("SSL_new failed") }
        self.ssl = ssl
        SSL_set_fd(ssl, descriptor)
        if let name = options.serverName { _ = chossl_set_tlsext_host_name(ssl, name) }
        if !options.applicationProtocols.isEmpty {
            let wire = options.applicationProtocols.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
            _ = SSL_set_alpn_protos(ssl, wire, UInt32(wire.count))
        }
        if let session = options.session { SSL_set_session(ssl, session.pointer) }
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(context)
    }

    /// OpenSSL's queued errors, as text.
    static func errors() -> String {
        var texts: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            texts.append(buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        return texts.joined(separator: "; ")
    }
}

extension TestClient {
    /// Runs a TLS handshake over the connection; afterwards everything sent and read goes
    /// through it. Throws (with OpenSSL's reason) when the handshake fails.
    public func startTLS(_ options: TestTLSOptions = TestTLSOptions()) throws {
        // Blocking calls with a limit: a server that never answers fails the test, not hangs it.
        var limit = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let connection = try TestTLSConnection(descriptor: fd, options: options)
        ERR_clear_error()
        var result: Int32
        repeat { result = SSL_connect(connection.ssl) } while result != 1 && Self.interrupted(connection.ssl, result)
        guard result == 1 else {
            let code = errno
            let kind = SSL_get_error(connection.ssl, result)
            throw TestFailure("TLS handshake failed: \(TestTLSConnection.errors()) (SSL_get_error \(kind), errno \(code): \(String(cString: strerror(code))))")
        }
        tls = connection
    }

    /// ALPN's choice, if any.
    public var negotiatedProtocol: String? {
        guard let ssl = tls?.ssl else { return nil }
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// "TLSv1.3".
    public var negotiatedVersion: String? { tls.map { String(cString: SSL_get_version($0.ssl)) } }

    /// The server certificate's subject ("CN=localhost").
    public var peerSubject: String? {
        guard let ssl = tls?.ssl, let certificate = SSL_get0_peer_certificate(ssl) else { return nil }
        var buffer = [CChar](repeating: 0, count: 256)
        X509_NAME_oneline(X509_get_subject_name(certificate), &buffer, Int32(buffer.count))
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// The server certificate, DER.
    public var peerCertificate: [UInt8]? {
        guard let ssl = tls?.ssl, let certificate = SSL_get0_peer_certificate(ssl) else { return nil }
        var bytes: UnsafeMutablePointer<UInt8>?
        let count = i2d_X509(certificate, &bytes)
        guard count > 0, let bytes else { return nil }
        defer { CRYPTO_free(bytes, #fileID, #line) }
        return Array(UnsafeBufferPointer(start: bytes, count: Int(count)))
    }

    public var sessionWasReused: Bool { tls.map { SSL_session_reused($0.ssl) == 1 } ?? false }

    /// The session to resume with (read a response first: TLS 1.3 tickets come after the handshake).
    public func session() -> TestTLSSession? { tls.flatMap { SSL_get1_session($0.ssl) }.map(TestTLSSession.init) }

    /// Sends close_notify.
    public func sendCloseNotify() {
        if let ssl = tls?.ssl { _ = SSL_shutdown(ssl) }
    }

    func tlsSend(_ connection: TestTLSConnection, _ bytes: [UInt8]) throws {
        var written = 0
        ERR_clear_error()
        guard !bytes.isEmpty else { return }
        var sent = 0
        while sent < bytes.count {
            let result = bytes[sent...].withUnsafeBytes { SSL_write_ex(connection.ssl, $0.baseAddress, $0.count, &written) }
            if result == 1 {
                sent += written
            } else if !Self.interrupted(connection.ssl, result) {
                throw TestFailure("TLS write failed: \(TestTLSConnection.errors())")
            }
        }
    }

    /// Reads decrypted bytes into `chunk`: the count, 0 at the end of the stream; throws on timeout.
    func tlsReceive(_ connection: TestTLSConnection, into chunk: inout [UInt8]) throws -> Int {
        var count = 0
        var result: Int32
        repeat {
            ERR_clear_error()
            errno = 0
            result = SSL_read_ex(connection.ssl, &chunk, chunk.count, &count)
        } while result != 1 && Self.interrupted(connection.ssl, result)
        if result == 1 { return count }
        let error = SSL_get_error(connection.ssl, 0)
        if error == SSL_ERROR_SYSCALL, errno == EAGAIN || errno == EWOULDBLOCK {
            throw TestFailure("timed out after \(timeout) s waiting for the server (TLS)")
        }
        return 0  // close_notify, a FIN, a reset or an alert: the stream is over
    }

    /// A blocking call a signal handler interrupted (EINTR): OpenSSL reports it as wanting to
    /// read or write again, or as a failed system call; either way it is made again.
    static func interrupted(_ ssl: OpaquePointer, _ result: Int32) -> Bool {
        let code = errno
        guard code == EINTR else { return false }
        let kind = SSL_get_error(ssl, result)
        return kind == SSL_ERROR_WANT_READ || kind == SSL_ERROR_WANT_WRITE || kind == SSL_ERROR_SYSCALL
    }

    /// Whether OpenSSL holds decrypted bytes not yet read (then the socket need not be polled).
    var tlsHasPending: Bool { tls.map { SSL_pending($0.ssl) > 0 } ?? false }

    /// The socket's own bytes until the server closes it, past TLS (records as sent): what a
    /// test reads once the TLS session has failed, to see the server's alert and FIN.
    public func readRecordsToEnd() throws -> [UInt8] {
        let session = tls
        tls = nil
        defer { tls = session }
        var records: [UInt8] = []
        while true {
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, Int32(timeout * 1000)) > 0 else { throw TestFailure("timed out waiting for the server to close") }
            var chunk = [UInt8](repeating: 0, count: 16384)
            let count = recv(fd, &chunk, chunk.count, 0)
            if count <= 0 { return records }
            records += chunk[0..<count]
        }
    }

    /// Renegotiates (TLS 1.2): what a server that refuses renegotiation ends the connection for.
    public func renegotiate() -> Bool {
        guard let ssl = tls?.ssl else { return false }
        ERR_clear_error()
        return SSL_renegotiate(ssl) == 1 && SSL_do_handshake(ssl) == 1
    }
}
