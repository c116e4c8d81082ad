import CHostctlOpenSSL

/// OpenSSL's per-thread error queue, read and emptied.
enum OpenSSLErrors {
    /// Every queued error's text, oldest first, joined; the queue is left empty.
    static func drain() -> String {
        var texts: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            texts.append(text(of: code))
        }
        return texts.isEmpty ? "no detail" : texts.joined(separator: "; ")
    }

    /// Makes the queue empty before an SSL call whose outcome `SSL_get_error` will judge.
    /// `SSL_get_error` sees the queue through `ERR_peek_error`, so a queue it reads as empty
    /// is all that call needs; and looking is cheaper than clearing, which in OpenSSL 3 wipes
    /// all sixteen slots every time (~600 instructions, twice per HTTPS request).
    @inline(__always)
    static func clearBeforeCall() {
        if ERR_peek_error() != 0 { ERR_clear_error() }
    }

    /// The oldest queued error code (0 for none); the queue is left empty.
    static func takeFirst() -> UInt {
        let first = ERR_get_error()
        ERR_clear_error()
        return first
    }

    /// OpenSSL's reason text ("wrong version number"), else the numeric code.
    static func text(of code: UInt) -> String {
        if let reason = ERR_reason_error_string(code) { return String(cString: reason) }
        return "error \(chossl_err_lib(code)):\(chossl_err_reason(code))"
    }
}
