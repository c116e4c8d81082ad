import CHostctlOpenSSL
import Glibc

/// Makes the developer certificate with libcrypto (never by running `openssl`): self-signed,
/// for `localhost`, `127.0.0.1` and `::1`, valid for a year, as `dotnet dev-certs https` makes.
///
/// The key is ECDSA P-256 where .NET uses RSA 2048: every browser, curl and OpenSSL client
/// accepts it, a P-256 signature costs a fraction of an RSA-2048 one (the server signs once
/// per full handshake, so handshakes per second rise several-fold), and the certificate and
/// handshake are smaller. It is also what the benchmarks give nginx.
public enum DevelopmentCertificate {
    /// The extension that marks ASP.NET Core development certificates; `dotnet dev-certs`
    /// recognises certificates by it, and `--import` accepts only certificates that carry it.
    public static let markerOID = "1.3.6.1.4.1.311.84.1.1"
    /// The marker's value: one version byte, as .NET writes it.
    static let markerVersion: UInt8 = 2
    public static let validityDays = 365

    /// A new developer certificate, valid from now for `validityDays`.
    public static func make(validityDays: Int = validityDays) throws(TLSConfigurationError) -> TLSCertificate {
        try selfSigned(
            commonName: "localhost", alternativeNames: "DNS:localhost,IP:127.0.0.1,IP:::1",
            startDays: 0, validityDays: validityDays, marked: true
        )
    }

    /// A self-signed ECDSA P-256 server certificate. `startDays` moves the start of its
    /// validity from today (negative: in the past, so tests can make expired ones).
    static func selfSigned(
        commonName: String, alternativeNames: String, startDays: Int, validityDays: Int, marked: Bool
    ) throws(TLSConfigurationError) -> TLSCertificate {
        func fail(_ step: String) -> TLSConfigurationError {
            TLSConfigurationError("Could not make the developer certificate (\(step)): \(OpenSSLErrors.drain())")
        }
        let key = try makeKey()
        guard let certificate = X509_new() else {
            EVP_PKEY_free(key)
            throw fail("X509_new")
        }
        // From here the certificate object owns nothing yet: on failure free both by hand.
        var succeeded = false
        defer { if !succeeded { X509_free(certificate); EVP_PKEY_free(key) } }

        guard X509_set_version(certificate, 2) == 1 else { throw fail("version") }
        var serial = [UInt8](repeating: 0, count: 16)
        guard RAND_bytes(&serial, Int32(serial.count)) == 1 else { throw fail("serial") }
        serial[0] &= 0x7F  // positive
        guard let number = BN_bin2bn(serial, Int32(serial.count), nil) else { throw fail("serial") }
        defer { BN_free(number) }
        guard BN_to_ASN1_INTEGER(number, X509_get_serialNumber(certificate)) != nil else { throw fail("serial") }

        guard X509_time_adj_ex(X509_getm_notBefore(certificate), Int32(startDays), 0, nil) != nil,
              X509_time_adj_ex(X509_getm_notAfter(certificate), Int32(startDays + validityDays), 0, nil) != nil
        else { throw fail("validity") }

        guard let name = X509_get_subject_name(certificate),
              X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, commonName, -1, -1, 0) == 1,
              X509_set_issuer_name(certificate, name) == 1,
              X509_set_pubkey(certificate, key) == 1
        else { throw fail("names") }

        var context = X509V3_CTX()
        X509V3_set_ctx(&context, certificate, certificate, nil, nil, 0)
        let extensions: [(Int32, String)] = [
            (NID_basic_constraints, "critical,CA:FALSE"),
            (NID_key_usage, "critical,digitalSignature"),
            (NID_ext_key_usage, "serverAuth"),
            (NID_subject_alt_name, alternativeNames),
            (NID_subject_key_identifier, "hash"),
            (NID_authority_key_identifier, "keyid:always"),
        ]
        for (nid, value) in extensions {
            guard let ext = X509V3_EXT_conf_nid(nil, &context, nid, value) else { throw fail("extension \(value)") }
            defer { X509_EXTENSION_free(ext) }
            guard X509_add_ext(certificate, ext, -1) == 1 else { throw fail("extension \(value)") }
        }
        if marked { try addMarker(to: certificate) }

        guard X509_sign(certificate, key, EVP_sha256()) > 0 else { throw fail("signature") }
        succeeded = true
        return TLSCertificate(certificate: certificate, chain: nil, privateKey: key)
    }

    private static func addMarker(to certificate: OpaquePointer) throws(TLSConfigurationError) {
        guard let object = OBJ_txt2obj(markerOID, 1), let data = ASN1_OCTET_STRING_new() else {
            throw TLSConfigurationError("Could not mark the developer certificate: \(OpenSSLErrors.drain())")
        }
        defer { ASN1_OBJECT_free(object); ASN1_OCTET_STRING_free(data) }
        var version = markerVersion
        guard ASN1_OCTET_STRING_set(data, &version, 1) == 1, let marker = X509_EXTENSION_create_by_OBJ(nil, object, 0, data) else {
            throw TLSConfigurationError("Could not mark the developer certificate: \(OpenSSLErrors.drain())")
        }
        defer { X509_EXTENSION_free(marker) }
        guard X509_add_ext(certificate, marker, -1) == 1 else {
            throw TLSConfigurationError("Could not mark the developer certificate: \(OpenSSLErrors.drain())")
        }
    }

    private static func makeKey() throws(TLSConfigurationError) -> OpaquePointer {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else {
            throw TLSConfigurationError("Could not make a P-256 key: \(OpenSSLErrors.drain())")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1,
              EVP_PKEY_CTX_set_group_name(context, "P-256") == 1,
              EVP_PKEY_generate(context, &key) == 1,
              let key
        else { throw TLSConfigurationError("Could not make a P-256 key: \(OpenSSLErrors.drain())") }
        return key
    }
}
