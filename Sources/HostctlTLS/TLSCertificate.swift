import CHostctlOpenSSL
import Glibc

/// A server certificate with its private key and the chain sent after it, loaded and checked.
///
/// Immutable and shared between threads: handshakes install it with `SSL_use_cert_and_key`,
/// which takes references, so a connection keeps its certificate alive after a reload drops it.
public final class TLSCertificate: @unchecked Sendable {
    let certificate: OpaquePointer
    /// The intermediates (STACK_OF(X509)), or nil.
    let chain: OpaquePointer?
    let privateKey: OpaquePointer

    /// Takes ownership of all three.
    init(certificate: OpaquePointer, chain: OpaquePointer?, privateKey: OpaquePointer) {
        self.certificate = certificate
        self.chain = chain
        self.privateKey = privateKey
    }

    deinit {
        X509_free(certificate)
        if let chain { chossl_x509_stack_free_all(chain) }
        EVP_PKEY_free(privateKey)
    }

    /// The certificate in DER.
    public var der: [UInt8] { X509Encoding.der(certificate) }

    /// "CN=localhost".
    public var subject: String { X509Encoding.text(of: X509_get_subject_name(certificate)) }

    /// The DNS names and IP addresses of the subject alternative names ("localhost", "127.0.0.1", "::1").
    public var subjectAlternativeNames: [String] {
        guard let raw = X509_get_ext_d2i(certificate, NID_subject_alt_name, nil, nil) else { return [] }
        let names = OpaquePointer(raw)
        defer { chossl_general_names_free(names) }
        var result: [String] = []
        for index in 0..<chossl_general_names_count(names) {
            guard let name = chossl_general_names_value(names, index) else { continue }
            var type: Int32 = 0
            guard let value = GENERAL_NAME_get0_value(name, &type) else { continue }
            let string = value.assumingMemoryBound(to: ASN1_STRING.self)
            let bytes = UnsafeRawBufferPointer(start: ASN1_STRING_get0_data(string), count: Int(ASN1_STRING_length(string)))
            if type == GEN_DNS {
                result.append(String(decoding: bytes, as: UTF8.self))
            } else if type == GEN_IPADD, bytes.count == 4 || bytes.count == 16 {
                var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
                inet_ntop(bytes.count == 4 ? AF_INET : AF_INET6, bytes.baseAddress, &text, socklen_t(text.count))
                result.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
        }
        return result
    }

    /// Validity, in seconds since the epoch.
    public var notBefore: Int64 { X509Encoding.seconds(X509_get0_notBefore(certificate)) }
    public var notAfter: Int64 { X509Encoding.seconds(X509_get0_notAfter(certificate)) }

    public func isValid(at seconds: Int64) -> Bool { notBefore <= seconds && seconds <= notAfter }

    /// "2026-05-01 12:00:00Z": how messages write these times.
    public static func utcText(_ seconds: Int64) -> String { X509Encoding.format(seconds: seconds) }

    /// The SHA-1 thumbprint in capital hex, as Windows and `dotnet dev-certs` show it.
    public var thumbprint: String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        X509_digest(certificate, EVP_sha1(), &digest, &length)
        return X509Encoding.hex(digest.prefix(Int(length)))
    }

    /// Marked as an ASP.NET Core HTTPS development certificate (the extension `dotnet dev-certs`
    /// and `hostctl dev-certs` put in theirs).
    public var isDevelopmentCertificate: Bool {
        guard let object = OBJ_txt2obj(DevelopmentCertificate.markerOID, 1) else { return false }
        defer { ASN1_OBJECT_free(object) }
        return X509_get_ext_by_OBJ(certificate, object, -1) >= 0
    }

    /// "CN=localhost - 5A3C…", as `dotnet dev-certs` describes certificates.
    public var summary: String { "\(subject) - \(thumbprint)" }

    /// The subject name hash OpenSSL looks certificates up by in a directory (`c_rehash`
    /// names the link `<hash>.0`).
    public var subjectHash: String {
        let hash = UInt32(truncatingIfNeeded: X509_subject_name_hash(certificate))
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// Checks the certificate as an OpenSSL client would (curl, Python, Swift on Linux): against
    /// the default trust, which honours `SSL_CERT_FILE` and `SSL_CERT_DIR`. Nil when trusted,
    /// else OpenSSL's reason.
    public func untrustedReasonForOpenSSLClients() -> String? {
        guard let store = X509_STORE_new() else { return "out of memory" }
        defer { X509_STORE_free(store) }
        guard let context = X509_STORE_CTX_new() else { return "out of memory" }
        defer { X509_STORE_CTX_free(context) }
        X509_STORE_set_default_paths(store)
        guard X509_STORE_CTX_init(context, store, certificate, chain) == 1 else { return OpenSSLErrors.drain() }
        X509_STORE_CTX_set_purpose(context, X509_PURPOSE_SSL_SERVER)
        let trusted = X509_verify_cert(context) == 1
        ERR_clear_error()
        return trusted ? nil : String(cString: X509_verify_cert_error_string(Int(X509_STORE_CTX_get_error(context))))
    }

    // MARK: Export

    /// The certificate, then the chain, in PEM.
    public var certificatePEM: [UInt8] {
        guard let bio = BIO_new(BIO_s_mem()) else { return [] }
        PEM_write_bio_X509(bio, certificate)
        if let chain {
            for index in 0..<chossl_x509_stack_count(chain) { PEM_write_bio_X509(bio, chossl_x509_stack_value(chain, index)) }
        }
        return X509Encoding.drain(bio)
    }

    /// The private key in PKCS#8 PEM, encrypted with AES-256-CBC when a password is given.
    public func privateKeyPEM(password: String?) -> [UInt8] {
        guard let bio = BIO_new(BIO_s_mem()) else { return [] }
        if let password {
            var bytes = Array(password.utf8CString)
            PEM_write_bio_PKCS8PrivateKey(bio, privateKey, EVP_aes_256_cbc(), &bytes, Int32(bytes.count - 1), nil, nil)
        } else {
            PEM_write_bio_PKCS8PrivateKey(bio, privateKey, nil, nil, 0, nil, nil)
        }
        return X509Encoding.drain(bio)
    }

    /// Certificate, key and chain in PKCS#12 (OpenSSL 3's defaults: AES-256 and SHA-256).
    public func pkcs12(password: String, friendlyName: String = "localhost") -> [UInt8]? {
        guard let p12 = PKCS12_create(password, friendlyName, privateKey, certificate, chain, 0, 0, 0, 0, 0) else { return nil }
        defer { PKCS12_free(p12) }
        guard let bio = BIO_new(BIO_s_mem()) else { return nil }
        guard i2d_PKCS12_bio(bio, p12) == 1 else {
            BIO_free(bio)
            return nil
        }
        return X509Encoding.drain(bio)
    }
}
