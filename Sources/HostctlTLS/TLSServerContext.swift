import CHostctlOpenSSL

/// One HTTPS endpoint's TLS setup: an OpenSSL `SSL_CTX` with the fixed `TLSPolicy`, the
/// endpoint's `TLSServerConfiguration`, and the certificates it serves.
///
/// Shared by every loop thread: OpenSSL makes connections from one context concurrently, and
/// its session cache and ticket keys are locked inside OpenSSL. The certificate is not part of
/// the `SSL_CTX`: each handshake takes the store's current one (by SNI) in the server-name
/// callback, so a reloaded certificate reaches new handshakes while open connections keep
/// theirs, and session tickets stay valid across a reload.
public final class TLSServerContext: @unchecked Sendable {
    public let configuration: TLSServerConfiguration
    public let certificates: TLSCertificateStore
    let context: OpaquePointer

    public init(configuration: TLSServerConfiguration = TLSServerConfiguration(), certificates: TLSCertificateStore) throws(TLSConfigurationError) {
        self.configuration = configuration
        self.certificates = certificates
        guard let context = SSL_CTX_new(TLS_server_method()) else {
            throw TLSConfigurationError("OpenSSL could not create a TLS context: \(OpenSSLErrors.drain())")
        }
        self.context = context
        try configure()
    }

    deinit { SSL_CTX_free(context) }

    private func configure() throws(TLSConfigurationError) {
        func check(_ ok: Bool, _ what: String) throws(TLSConfigurationError) {
            if !ok { throw TLSConfigurationError("OpenSSL refused \(what): \(OpenSSLErrors.drain())") }
        }
        func openSSLVersion(_ version: TLSVersion) -> Int32 { version == .tls12 ? TLS1_2_VERSION : TLS1_3_VERSION }
        let versions = configuration.versions
        try check(chossl_ctx_set_min_proto_version(context, openSSLVersion(versions.lowerBound)) == 1, "the minimum version \(versions.lowerBound)")
        try check(chossl_ctx_set_max_proto_version(context, openSSLVersion(versions.upperBound)) == 1, "the maximum version \(versions.upperBound)")
        try check(SSL_CTX_set_ciphersuites(context, TLSPolicy.tls13CipherSuites) == 1, "the TLS 1.3 cipher suites")
        try check(SSL_CTX_set_cipher_list(context, TLSPolicy.tls12CipherSuites) == 1, "the TLS 1.2 cipher suites")
        try check(chossl_ctx_set_groups_list(context, TLSPolicy.groups) == 1, "the groups \(TLSPolicy.groups)")
        SSL_CTX_set_options(context, chossl_op_no_renegotiation() | chossl_op_no_compression())
        // Idle connections give their record buffers back (about 34 KiB each) until data moves.
        _ = chossl_ctx_set_mode(context, chossl_mode_release_buffers())
        // One BIO read can take several records: fewer calls per segment of ciphertext.
        chossl_ctx_set_read_ahead(context, 1)
        try check(SSL_CTX_set_num_tickets(context, max(0, configuration.sessionTicketCount)) == 1, "the ticket count")
        _ = chossl_ctx_set_session_cache_mode(context, Int(SSL_SESS_CACHE_SERVER))
        _ = chossl_ctx_set_session_cache_size(context, configuration.sessionCacheSize)
        // Required for resumption once client certificates are asked for; harmless otherwise.
        let sessionContext = Array("hostctl".utf8)
        try check(SSL_CTX_set_session_id_context(context, sessionContext, UInt32(sessionContext.count)) == 1, "the session id context")

        let this = Unmanaged.passUnretained(self).toOpaque()
        SSL_CTX_set_alpn_select_cb(context, TLSCallbacks.selectApplicationProtocol, this)
        _ = chossl_ctx_set_servername_callback(context, TLSCallbacks.chooseCertificate, this)
        SSL_CTX_set_info_callback(context, TLSCallbacks.observe)

        switch configuration.clientCertificateMode {
        case .noCertificate:
            SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        case .allowCertificate, .requireCertificate:
            var mode = SSL_VERIFY_PEER
            if configuration.clientCertificateMode == .requireCertificate { mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT }
            if configuration.allowAnyClientCertificate {
                SSL_CTX_set_verify(context, mode, { _, _ in 1 })
            } else {
                SSL_CTX_set_verify(context, mode, nil)
                if let authorities = configuration.clientCertificateAuthorities {
                    try check(SSL_CTX_load_verify_locations(context, authorities, nil) == 1, "the client certificate authorities in '\(authorities)'")
                } else {
                    try check(SSL_CTX_set_default_verify_paths(context) == 1, "the system's trusted roots")
                }
            }
        }
    }
}
