import CHostctlOpenSSL
import Glibc
import HostctlSystem

/// Loads certificates from files (PEM, encrypted PEM, PKCS#12) and checks them before any
/// handshake can trip on them: the key matches, the validity has not ended.
public enum TLSCertificateLoader {
    /// Loads `source`; `.developmentCertificate` needs the location `hostctl dev-certs` uses.
    public static func load(
        _ source: TLSCertificateSource, development: DevelopmentCertificateLocation?, now: Int64 = currentTime()
    ) throws(TLSCertificateError) -> TLSCertificate {
        switch source {
        case .file(let path, let keyPath, let password):
            return try load(path: path, keyPath: keyPath, password: password, now: now)
        case .developmentCertificate:
            guard let development, FileSystem.exists(development.certificatePath) else {
                throw TLSCertificateError(path: development?.certificatePath ?? "", .noDevelopmentCertificate)
            }
            let certificate = try load(path: development.certificatePath, keyPath: development.keyPath, password: nil, now: nil)
            guard certificate.isValid(at: now) else { throw TLSCertificateError(path: development.certificatePath, .noDevelopmentCertificate) }
            return certificate
        }
    }

    /// `now` nil skips the expiry check (`dev-certs --check` reports expiry itself).
    public static func load(path: String, keyPath: String?, password: String?, now: Int64?) throws(TLSCertificateError) -> TLSCertificate {
        let bytes = try read(path)
        ERR_clear_error()
        let loaded: TLSCertificate
        if looksLikePEM(bytes) {
            let (certificate, chain) = try pemCertificates(bytes, path: path)
            let keyBytes = try keyPath.map { (path) throws(TLSCertificateError) in try read(path) } ?? bytes
            guard let key = try pemPrivateKey(keyBytes, path: keyPath ?? path, password: password) else {
                X509_free(certificate)
                if let chain { chossl_x509_stack_free_all(chain) }
                throw TLSCertificateError(path: keyPath ?? path, .noPrivateKey)
            }
            loaded = TLSCertificate(certificate: certificate, chain: chain, privateKey: key)
        } else if let keyPath {
            // A DER certificate (.cer) with a separate key.
            guard let certificate = bytes.withUnsafeBytes({ buffer -> OpaquePointer? in
                var cursor: UnsafePointer<UInt8>? = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
                return d2i_X509(nil, &cursor, buffer.count)
            }) else { throw TLSCertificateError(path: path, .noCertificate) }
            guard let key = try pemPrivateKey(try read(keyPath), path: keyPath, password: password) else {
                X509_free(certificate)
                throw TLSCertificateError(path: keyPath, .noPrivateKey)
            }
            loaded = TLSCertificate(certificate: certificate, chain: nil, privateKey: key)
        } else {
            loaded = try pkcs12(bytes, path: path, password: password)
        }
        ERR_clear_error()
        if X509_check_private_key(loaded.certificate, loaded.privateKey) != 1 {
            ERR_clear_error()
            throw TLSCertificateError(path: keyPath ?? path, .keyMismatch(certificatePath: path))
        }
        if let now, loaded.notAfter < now {
            throw TLSCertificateError(path: path, .expired(X509Encoding.format(seconds: loaded.notAfter)))
        }
        return loaded
    }

    public static func currentTime() -> Int64 { Int64(time(nil)) }

    // MARK: Formats

    private static func read(_ path: String) throws(TLSCertificateError) -> [UInt8] {
        do { return try FileSystem.readFile(path) } catch { throw TLSCertificateError(path: path, .unreadable(error.reason)) }
    }

    private static func looksLikePEM(_ bytes: [UInt8]) -> Bool { contains(bytes, "-----BEGIN ") }

    private static func contains(_ bytes: [UInt8], _ text: String) -> Bool {
        let marker = Array(text.utf8)
        guard bytes.count >= marker.count else { return false }
        for start in 0...(bytes.count - marker.count) where bytes[start] == marker[0] {
            if bytes[start..<(start + marker.count)].elementsEqual(marker) { return true }
        }
        return false
    }

    private static func withMemoryBIO<T>(_ bytes: [UInt8], _ body: (OpaquePointer) -> T) -> T? {
        bytes.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return body(bio)
        }
    }

    /// The first certificate and the ones after it (the chain).
    private static func pemCertificates(_ bytes: [UInt8], path: String) throws(TLSCertificateError) -> (OpaquePointer, OpaquePointer?) {
        let certificates: [OpaquePointer] = withMemoryBIO(bytes) { bio in
            var found: [OpaquePointer] = []
            while let certificate = PEM_read_bio_X509(bio, nil, refusePassword, nil) { found.append(certificate) }
            return found
        } ?? []
        ERR_clear_error()
        guard let first = certificates.first else { throw TLSCertificateError(path: path, .noCertificate) }
        guard certificates.count > 1, let chain = chossl_x509_stack_new() else { return (first, nil) }
        for certificate in certificates.dropFirst() { _ = chossl_x509_stack_push(chain, certificate) }
        return (first, chain)
    }

    /// The first private key in `bytes`, decrypting with `password` when it is encrypted; nil when there is none.
    private static func pemPrivateKey(_ bytes: [UInt8], path: String, password: String?) throws(TLSCertificateError) -> OpaquePointer? {
        // ("PRIVATE KEY-----" ends every PEM key label: PKCS#8, encrypted, RSA, EC.)
        guard contains(bytes, "PRIVATE KEY-----") else { return nil }
        let prompt = PasswordPrompt(password)
        let key = withMemoryBIO(bytes) { bio in
            withExtendedLifetime(prompt) {
                PEM_read_bio_PrivateKey(bio, nil, PasswordPrompt.answer, Unmanaged.passUnretained(prompt).toOpaque())
            }
        } ?? nil
        let detail = OpenSSLErrors.drain()
        if let key { return key }
        if prompt.wasAsked { throw TLSCertificateError(path: path, password == nil ? .passwordRequired : .wrongPassword) }
        throw TLSCertificateError(path: path, .unsupported(detail))
    }

    private static func pkcs12(_ bytes: [UInt8], path: String, password: String?) throws(TLSCertificateError) -> TLSCertificate {
        guard let p12 = withMemoryBIO(bytes, { bio in d2i_PKCS12_bio(bio, nil) }) ?? nil else {
            ERR_clear_error()
            throw TLSCertificateError(path: path, .noCertificate)
        }
        defer { PKCS12_free(p12) }
        // No password: PKCS#12 files "without" one use either an empty one or none at all.
        let candidates: [String?] = password.map { [$0] } ?? ["", nil]
        guard let usable = candidates.first(where: { PKCS12_verify_mac(p12, $0, -1) == 1 }) else {
            ERR_clear_error()
            throw TLSCertificateError(path: path, password == nil ? .passwordRequired : .wrongPassword)
        }
        var key: OpaquePointer?
        var certificate: OpaquePointer?
        var chain: OpaquePointer?
        guard PKCS12_parse(p12, usable, &key, &certificate, &chain) == 1 else {
            throw TLSCertificateError(path: path, .unsupported(OpenSSLErrors.drain()))
        }
        guard let certificate else {
            EVP_PKEY_free(key)
            if let chain { chossl_x509_stack_free_all(chain) }
            throw TLSCertificateError(path: path, .noCertificate)
        }
        guard let key else {
            X509_free(certificate)
            if let chain { chossl_x509_stack_free_all(chain) }
            throw TLSCertificateError(path: path, .noPrivateKey)
        }
        if let stack = chain, chossl_x509_stack_count(stack) == 0 {
            chossl_x509_stack_free_all(stack)
            chain = nil
        }
        return TLSCertificate(certificate: certificate, chain: chain, privateKey: key)
    }

    /// OpenSSL's default would prompt on the terminal: a server must never.
    private static let refusePassword: @convention(c) (UnsafeMutablePointer<CChar>?, Int32, Int32, UnsafeMutableRawPointer?) -> Int32 = { _, _, _, _ in -1 }
}

/// Answers OpenSSL's password callback with the configured password, and notes that it was asked.
private final class PasswordPrompt {
    let password: [CChar]?
    var wasAsked = false

    init(_ password: String?) { self.password = password.map { Array($0.utf8CString.dropLast()) } }

    static let answer: @convention(c) (UnsafeMutablePointer<CChar>?, Int32, Int32, UnsafeMutableRawPointer?) -> Int32 = {
        buffer, size, _, context in
        guard let context, let buffer else { return -1 }
        let prompt = Unmanaged<PasswordPrompt>.fromOpaque(context).takeUnretainedValue()
        prompt.wasAsked = true
        guard let password = prompt.password, password.count <= Int(size) else { return -1 }
        if !password.isEmpty { password.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress!, count: password.count) } }
        return Int32(password.count)
    }
}
