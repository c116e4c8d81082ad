import CHostctlOpenSSL
import Testing
import HostctlCore
@testable import HostctlTLS

/// An OpenSSL client over two memory BIOs, driven by hand: what the server engine is tested
/// against, with no socket in between.
final class TLSTestClient {
    let context: OpaquePointer
    let ssl: OpaquePointer
    /// What the server sent, for the client to read.
    private let fromServer: OpaquePointer
    /// What the client wrote, for the server.
    private let toServer: OpaquePointer

    struct Options {
        var serverName: String? = "localhost"
        var applicationProtocols: [String] = []
        var minVersion = TLS1_2_VERSION
        var maxVersion = TLS1_3_VERSION
        var session: OpaquePointer?
        var noTickets = false
        var certificate: TLSCertificate?
        /// Verify the server against exactly this certificate (a client that does not trust
        /// the server sends a fatal alert).
        var trusting: TLSCertificate?
    }

    init(_ options: Options = Options()) {
        context = SSL_CTX_new(TLS_client_method())!
        if options.minVersion < TLS1_2_VERSION { SSL_CTX_set_security_level(context, 0) }
        _ = chossl_ctx_set_min_proto_version(context, options.minVersion)
        _ = chossl_ctx_set_max_proto_version(context, options.maxVersion)
        if options.minVersion < TLS1_2_VERSION { _ = SSL_CTX_set_cipher_list(context, "DEFAULT:@SECLEVEL=0") }
        if options.noTickets { SSL_CTX_set_options(context, chossl_op_no_ticket()) }
        if let trusted = options.trusting {
            X509_STORE_add_cert(SSL_CTX_get_cert_store(context), trusted.certificate)
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        }
        if let certificate = options.certificate {
            SSL_CTX_use_certificate(context, certificate.certificate)
            SSL_CTX_use_PrivateKey(context, certificate.privateKey)
        }
        ssl = SSL_new(context)!
        fromServer = BIO_new(BIO_s_mem())!
        toServer = BIO_new(BIO_s_mem())!
        SSL_set_bio(ssl, fromServer, toServer)
        SSL_set_connect_state(ssl)
        if let name = options.serverName { _ = chossl_set_tlsext_host_name(ssl, name) }
        if !options.applicationProtocols.isEmpty {
            let wire = options.applicationProtocols.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
            _ = SSL_set_alpn_protos(ssl, wire, UInt32(wire.count))
        }
        if let session = options.session { SSL_set_session(ssl, session) }
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(context)
    }

    /// Runs the client's side as far as it goes; true once its handshake is complete.
    @discardableResult
    func handshake() -> Bool { SSL_do_handshake(ssl) == 1 }

    var isHandshakeComplete: Bool { SSL_is_init_finished(ssl) == 1 }

    /// Everything the client has written since the last call.
    func takeOutput() -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = BIO_read(toServer, &chunk, Int32(chunk.count))
            if count <= 0 { return bytes }
            bytes += chunk[0..<Int(count)]
        }
    }

    func give(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        _ = BIO_write(fromServer, bytes, Int32(bytes.count))
    }

    func write(_ bytes: [UInt8]) {
        var written = 0
        precondition(SSL_write_ex(ssl, bytes, bytes.count, &written) == 1)
    }

    /// The plaintext the server's records given so far carry (and processes tickets).
    func read() -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            var count = 0
            guard SSL_read_ex(ssl, &chunk, chunk.count, &count) == 1 else { return bytes }
            bytes += chunk[0..<count]
        }
    }

    /// Whether the server's close_notify has arrived.
    var receivedCloseNotify: Bool {
        var byte: UInt8 = 0
        var count = 0
        return SSL_read_ex(ssl, &byte, 1, &count) == 0 && SSL_get_error(ssl, 0) == SSL_ERROR_ZERO_RETURN
    }

    /// A resumable session (after the handshake and `read()` of the tickets); the caller frees it.
    func session() -> OpaquePointer? { SSL_get1_session(ssl) }

    /// The server's certificate in DER.
    var peerCertificate: [UInt8]? { SSL_get0_peer_certificate(ssl).map(X509Encoding.der) }

    /// The fatal alert the client sent, seen in its own output (a plaintext alert record).
    static func alert(in bytes: [UInt8]) -> TLSAlert? {
        guard bytes.count >= 7, bytes[0] == 21, bytes[5] == 2 else { return nil }
        return TLSAlert(rawValue: bytes[6])
    }
}

/// A server engine and a client, with the pump between them.
final class TLSPair {
    let server: TLSServerConnection
    let client: TLSTestClient
    let serverInput = ByteBuffer()
    let serverOutput = ByteBuffer()

    init(_ context: TLSServerContext, _ options: TLSTestClient.Options = .init()) throws {
        server = try TLSServerConnection(context: context)
        client = TLSTestClient(options)
    }

    /// Hands `bytes` to the server in pieces of `piece` bytes, advancing the handshake after each.
    func feedHandshake(_ bytes: [UInt8], piece: Int = .max) throws -> Bool {
        var complete = server.isHandshakeComplete
        var offset = 0
        repeat {
            let end = min(bytes.count, offset + max(piece, 1))
            serverInput.append(bytes[offset..<end])
            offset = end
            complete = try server.handshake(input: serverInput, output: serverOutput)
        } while offset < bytes.count && !complete
        return complete
    }

    /// Passes what the server wrote to the client.
    func deliverToClient() {
        client.give(serverOutput.readableArray)
        serverOutput.clear()
    }

    /// Runs both sides until the handshake is over. `piece` splits each client flight.
    func handshake(piece: Int = .max) throws {
        for _ in 0..<10 {
            client.handshake()
            let flight = client.takeOutput()
            let done = flight.isEmpty ? server.isHandshakeComplete : try feedHandshake(flight, piece: piece)
            deliverToClient()
            if done {
                client.handshake()
                if client.isHandshakeComplete { return }
            }
        }
        Issue.record("the handshake did not finish in 10 rounds")
    }

    /// Everything the server can read now, as bytes.
    func serverReads(piece: Int = .max) throws -> (bytes: [UInt8], closed: Bool) {
        var plaintext: [UInt8] = []
        var space = [UInt8](repeating: 0, count: 4096)
        while true {
            let result = try space.withUnsafeMutableBytes { buffer in
                try server.read(input: serverInput, into: buffer, output: serverOutput)
            }
            switch result {
            case .plaintext(let count): plaintext += space[0..<count]
            case .needsInput: return (plaintext, false)
            case .closed: return (plaintext, true)
            }
        }
    }

    /// Client plaintext → server: encrypted by the client, fed to the server in pieces.
    func clientSends(_ text: String, piece: Int = .max) throws -> [UInt8] {
        client.write(Array(text.utf8))
        let records = client.takeOutput()
        var received: [UInt8] = []
        var offset = 0
        while offset < records.count {
            let end = min(records.count, offset + max(piece, 1))
            serverInput.append(records[offset..<end])
            offset = end
            received += try serverReads().bytes
        }
        return received
    }

    /// Server plaintext → client.
    func serverSends(_ bytes: [UInt8]) throws -> [UInt8] {
        try bytes.withUnsafeBytes { try server.write($0, output: serverOutput) }
        deliverToClient()
        return client.read()
    }
}
