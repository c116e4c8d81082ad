// libFuzzer entry point for the server side of the TLS engine (HostctlTLS), fed the way a
// connection layer feeds it: ciphertext arriving in chunks of any size into the layer's
// buffer, the handshake advanced after each, then reads, a write and close. Any bytes must
// end in a handshake that waits, completes or fails with a reason: never a trap, a hang or a
// memory error, and nothing read as plaintext before a handshake completed.
//
// The first input byte picks the chunk size and the mode. In one mode out of four the
// connection is first established with a real OpenSSL client over memory, and the rest is
// fed as records after the handshake (the record layer, alerts and post-handshake messages
// with bytes no client would send).

import CHostctlOpenSSL
import HostctlCore
import HostctlTLS

private let context: TLSServerContext = {
    let certificate = try! DevelopmentCertificate.make()
    let protocols = try! TLSApplicationProtocols(["h2", "http/1.1"])
    return try! TLSServerContext(configuration: TLSServerConfiguration(applicationProtocols: protocols), certificates: TLSCertificateStore(certificate: certificate))
}()

nonisolated(unsafe) private let clientContext: OpaquePointer = SSL_CTX_new(TLS_client_method())!

/// Runs a client against `server` until both finish the handshake.
private func establish(_ server: TLSServerConnection, _ input: ByteBuffer, _ output: ByteBuffer) -> Bool {
    let client = SSL_new(clientContext)!
    defer { SSL_free(client) }
    let fromServer = BIO_new(BIO_s_mem())!
    let toServer = BIO_new(BIO_s_mem())!
    SSL_set_bio(client, fromServer, toServer)
    SSL_set_connect_state(client)
    var chunk = [UInt8](repeating: 0, count: 16384)
    for _ in 0..<8 {
        _ = SSL_do_handshake(client)
        while case let count = BIO_read(toServer, &chunk, Int32(chunk.count)), count > 0 { input.append(chunk[0..<Int(count)]) }
        guard (try? server.handshake(input: input, output: output)) != nil else { return false }
        let sent = output.readableArray
        if !sent.isEmpty { _ = BIO_write(fromServer, sent, Int32(sent.count)) }
        output.clear()
        if server.isHandshakeComplete { return true }
    }
    return false
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
    guard count > 0 else { return 0 }
    let flags = data[0]
    let bytes = UnsafeRawBufferPointer(start: data + 1, count: count - 1)
    let chunkSize = [1, 2, 5, 64, 517, 4096][Int(flags & 0x7) % 6]
    let established = flags & 0xC0 == 0xC0
    let endsInput = flags & 0x08 != 0

    let server = try! TLSServerConnection(context: context)
    let input = ByteBuffer()
    let output = ByteBuffer()
    if established && !establish(server, input, output) { fatalError("the handshake with a real client failed") }

    var space = [UInt8](repeating: 0, count: 1024)
    var offset = 0
    var failed = false
    // Bounded: each round consumes at least one chunk.
    while offset < bytes.count && !failed {
        let end = min(bytes.count, offset + chunkSize)
        input.append(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
        offset = end
        do {
            guard try server.handshake(input: input, output: output) else { continue }
            var rounds = 0
            reading: while rounds < 10_000 {
                rounds += 1
                let result = try space.withUnsafeMutableBytes { try server.read(input: input, into: $0, output: output) }
                switch result {
                case .plaintext(let count) where count > 0 && count <= space.count: continue
                case .plaintext: fatalError("read reported \(result) for \(space.count) bytes of space")
                case .needsInput, .closed: break reading
                }
            }
            if rounds == 10_000 { fatalError("reading never stopped") }
        } catch {
            failed = true
        }
        output.clear()
    }
    if !failed && server.isHandshakeComplete {
        let response = Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".utf8)
        try? response.withUnsafeBytes { try server.write($0, output: output) }
        server.close(output: output)
    }
    if endsInput { _ = server.inputEnded() }
    if !server.isHandshakeComplete && server.info != nil { fatalError("facts without a handshake") }
    return 0
}
