import CHostctlOpenSSL

/// Where this system's OpenSSL looks for trusted certificates when nothing says otherwise.
public enum OpenSSLDefaults {
    /// "/usr/lib/ssl/certs" on Debian: what `SSL_CERT_DIR` replaces, so a setting that adds
    /// a directory names this one too.
    public static var certificateDirectory: String { String(cString: X509_get_default_cert_dir()) }
}
