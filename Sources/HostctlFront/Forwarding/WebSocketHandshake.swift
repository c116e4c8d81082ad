import CHostctlOpenSSL

/// The two values of an HTTP/1.1 WebSocket opening handshake (RFC 6455 §4) the front makes
/// when it turns an extended CONNECT into an upgrade: a fresh `Sec-WebSocket-Key`, and the
/// `Sec-WebSocket-Accept` the app must answer it with. (HTTP/2's extended CONNECT has neither,
/// RFC 8441 §5: the front speaks for the client on this hop.)
enum WebSocketHandshake {
    /// 16 random bytes (getrandom(2), through the system generator), base64: 24 characters.
    static func makeKey() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        for _ in 0..<2 {
            let word = generator.next() as UInt64
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return base64(bytes)
    }

    /// base64(SHA-1(key + the protocol's GUID)) (RFC 6455 §4.2.2).
    static func accept(forKey key: String) -> String {
        base64(SHA1.digest(Array((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8)))
    }

    /// Whether the app's `Sec-WebSocket-Accept` value answers `key` (surrounding spaces aside).
    static func isAccepted(_ value: UnsafeRawBufferPointer, key: String) -> Bool {
        let expected = Array(accept(forKey: key).utf8)
        let trimmed = value.drop { $0 == 0x20 || $0 == 0x09 }.reversed().drop { $0 == 0x20 || $0 == 0x09 }.reversed()
        return trimmed.elementsEqual(expected)
    }

    /// Standard base64 with padding, by OpenSSL (linked already for TLS).
    static func base64(_ bytes: [UInt8]) -> String {
        let length = (bytes.count + 2) / 3 * 4
        return String(unsafeUninitializedCapacity: length + 1) { text in
            Int(EVP_EncodeBlock(text.baseAddress, bytes, Int32(bytes.count)))
        }
    }
}

/// SHA-1, for the WebSocket handshake only (RFC 6455 fixes the algorithm, and nothing here
/// depends on its strength): OpenSSL's.
enum SHA1 {
    static func digest(_ message: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        _ = EVP_Digest(message, message.count, &digest, &length, EVP_sha1(), nil)
        return Array(digest[..<Int(length)])
    }
}
