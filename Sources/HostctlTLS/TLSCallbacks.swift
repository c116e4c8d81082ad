import CHostctlOpenSSL

/// The C callbacks OpenSSL calls during a handshake. Each finds its context through the `arg`
/// it was registered with and its connection through the SSL's app data (slot 0), both
/// unretained: the context owns the SSL_CTX, and the connection owns its SSL.
enum TLSCallbacks {
    static func connection(_ ssl: OpaquePointer?) -> TLSServerConnection? {
        guard let pointer = SSL_get_ex_data(ssl, 0) else { return nil }
        return Unmanaged<TLSServerConnection>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// ALPN: the endpoint's first protocol that the client offered (`TLSApplicationProtocols`).
    static let selectApplicationProtocol: @convention(c) (
        OpaquePointer?, UnsafeMutablePointer<UnsafePointer<UInt8>?>?, UnsafeMutablePointer<UInt8>?,
        UnsafePointer<UInt8>?, UInt32, UnsafeMutableRawPointer?
    ) -> Int32 = { ssl, out, outLength, clientList, clientListLength, arg in
        guard let arg, let out, let outLength, let clientList else { return SSL_TLSEXT_ERR_ALERT_FATAL }
        let context = Unmanaged<TLSServerContext>.fromOpaque(arg).takeUnretainedValue()
        let list = UnsafeRawBufferPointer(start: clientList, count: Int(clientListLength))
        switch context.configuration.applicationProtocols.select(fromClientList: list) {
        case .selected(let range):
            out.pointee = clientList + range.lowerBound
            outLength.pointee = UInt8(range.count)
            return SSL_TLSEXT_ERR_OK
        case .noOverlap:
            // RFC 7301 §3.2: a server that supports none of the client's protocols sends
            // no_application_protocol (what SSL_TLSEXT_ERR_ALERT_FATAL makes OpenSSL send).
            connection(ssl)?.callbackFailure = .noApplicationProtocol
            return SSL_TLSEXT_ERR_ALERT_FATAL
        case .malformed:
            connection(ssl)?.callbackFailure = .malformedApplicationProtocols
            return SSL_TLSEXT_ERR_ALERT_FATAL
        }
    }

    /// SNI (called for every ClientHello, with or without a server name): installs the
    /// store's certificate for the name on this connection, or refuses with unrecognized_name.
    static let chooseCertificate: @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>?, UnsafeMutableRawPointer?) -> Int32 = {
        ssl, alert, arg in
        guard let arg, let connection = connection(ssl) else { return SSL_TLSEXT_ERR_ALERT_FATAL }
        let context = Unmanaged<TLSServerContext>.fromOpaque(arg).takeUnretainedValue()
        let name = chossl_get_servername(ssl).map { String(cString: $0).lowercased() }
        guard let certificate = context.certificates.certificate(forServerName: name) else {
            connection.callbackFailure = .unrecognizedServerName(name ?? "")
            alert?.pointee = SSL_AD_UNRECOGNIZED_NAME
            return SSL_TLSEXT_ERR_ALERT_FATAL
        }
        guard SSL_use_cert_and_key(ssl, certificate.certificate, certificate.privateKey, certificate.chain, 1) == 1 else {
            connection.callbackFailure = .internalError("installing the certificate failed: \(OpenSSLErrors.drain())")
            alert?.pointee = SSL_AD_INTERNAL_ERROR
            return SSL_TLSEXT_ERR_ALERT_FATAL
        }
        connection.certificate = certificate
        return name == nil ? SSL_TLSEXT_ERR_NOACK : SSL_TLSEXT_ERR_OK
    }

    /// Watches alerts (for the failure report) and renegotiation attempts.
    static let observe: @convention(c) (OpaquePointer?, Int32, Int32) -> Void = { ssl, event, value in
        guard event & SSL_CB_ALERT != 0 || event & SSL_CB_HANDSHAKE_START != 0, let connection = connection(ssl) else { return }
        if event & SSL_CB_WRITE_ALERT == SSL_CB_WRITE_ALERT {
            let alert = TLSAlert(rawValue: UInt8(truncatingIfNeeded: value))
            let isFatal = value >> 8 == SSL3_AL_FATAL
            if isFatal { connection.alertSent = alert }
            // OpenSSL answers a renegotiating ClientHello with a no_renegotiation warning and
            // carries on; a client that tries is ended instead, as nginx does.
            if alert == .noRenegotiation && connection.isHandshakeComplete { connection.renegotiationAttempted = true }
        } else if event & SSL_CB_HANDSHAKE_START != 0, connection.isHandshakeComplete, SSL_version(ssl) < TLS1_3_VERSION {
            // (TLS 1.3 signals post-handshake messages such as KeyUpdate this way too: those are fine.)
            connection.renegotiationAttempted = true
        }
    }
}
