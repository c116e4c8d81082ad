// OpenSSL's memory per server connection, counted by OpenSSL's own allocator hooks (so only
// libssl/libcrypto allocations count, not Swift's): idle after the handshake (record buffers
// released), and holding half a record (the read buffer in use). Built and run by
// bench/tls_memory.sh.

import CHostctlOpenSSL
import Glibc
import HostctlCore
import HostctlTLS

// Every OpenSSL allocation carries its size in a 16-byte header, so frees can be counted.
nonisolated(unsafe) var liveBytes = 0
let header = 16

// Before anything else touches OpenSSL: the hooks can only be set before its first allocation.
guard CRYPTO_set_mem_functions(
    { size, _, _ in
        guard let block = malloc(size + header) else { return nil }
        block.storeBytes(of: size, as: Int.self)
        liveBytes += size
        return block + header
    },
    { pointer, size, _, _ in
        let old = pointer.map { $0 - header }
        let oldSize = old?.load(as: Int.self) ?? 0
        guard let block = realloc(old, size + header) else { return nil }
        block.storeBytes(of: size, as: Int.self)
        liveBytes += size - oldSize
        return block + header
    },
    { pointer, _, _ in
        guard let pointer else { return }
        let block = pointer - header
        liveBytes -= block.load(as: Int.self)
        free(block)
    }
) == 1 else { fatalError("CRYPTO_set_mem_functions refused: OpenSSL allocated already") }

let count = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 1000 : 1000
let context = try TLSServerContext(certificates: TLSCertificateStore(certificate: DevelopmentCertificate.make()))
let clientContext = SSL_CTX_new(TLS_client_method())!

/// A client over memory BIOs that completes a TLS 1.3 handshake with `server`, sends one
/// request, and is freed; returns the request's records split in two (to hold back half).
func connect(_ server: TLSServerConnection, input: ByteBuffer, output: ByteBuffer, clientContext: OpaquePointer) -> [UInt8] {
    let client = SSL_new(clientContext)!
    defer { SSL_free(client) }
    let fromServer = BIO_new(BIO_s_mem())!
    let toServer = BIO_new(BIO_s_mem())!
    SSL_set_bio(client, fromServer, toServer)
    SSL_set_connect_state(client)
    var chunk = [UInt8](repeating: 0, count: 16384)
    func drain() { while case let n = BIO_read(toServer, &chunk, Int32(chunk.count)), n > 0 { input.append(chunk[0..<Int(n)]) } }
    for _ in 0..<4 where !server.isHandshakeComplete || SSL_is_init_finished(client) != 1 {
        _ = SSL_do_handshake(client)
        drain()
        _ = try! server.handshake(input: input, output: output)
        let sent = output.readableArray
        if !sent.isEmpty { _ = BIO_write(fromServer, sent, Int32(sent.count)) }
        output.clear()
    }
    precondition(server.isHandshakeComplete)
    let request = Array("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8)
    var written = 0
    _ = SSL_write_ex(client, request, request.count, &written)
    var records: [UInt8] = []
    while case let n = BIO_read(toServer, &chunk, Int32(chunk.count)), n > 0 { records += chunk[0..<Int(n)] }
    return records
}

var servers: [TLSServerConnection] = []
var pending: [[UInt8]] = []
let input = ByteBuffer()
let output = ByteBuffer()
var space = [UInt8](repeating: 0, count: 4096)
let baseline = liveBytes
for _ in 0..<count {
    let server = try TLSServerConnection(context: context)
    let records = connect(server, input: input, output: output, clientContext: clientContext)
    // Read the request whole, then answer it: the connection is then idle.
    input.append(records)
    _ = try space.withUnsafeMutableBytes { try server.read(input: input, into: $0, output: output) }
    let response = Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi".utf8)
    try response.withUnsafeBytes { try server.write($0, output: output) }
    output.clear()
    servers.append(server)
    pending.append(records)
}
let idle = liveBytes - baseline
// Half of a second request on every connection: OpenSSL holds the partial record.
for (server, records) in zip(servers, pending) {
    input.append(records[0..<(records.count / 2)])
    _ = try space.withUnsafeMutableBytes { try server.read(input: input, into: $0, output: output) }
}
let holding = liveBytes - baseline
servers.removeAll()
let after = liveBytes - baseline

print("connections: \(count)")
print("OpenSSL bytes per idle connection (handshake done, request answered, buffers released): \(idle / count)")
print("OpenSSL bytes per connection holding half a record: \(holding / count)")
print("OpenSSL bytes left after freeing them all: \(after) in total (shared caches, not per connection)")
