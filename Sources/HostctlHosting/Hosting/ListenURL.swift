import HostctlCore

/// One URL a server is asked to listen on, with the socket addresses it stands for
/// (design §5 and Kestrel's rules).
///
/// - `http://localhost:P` binds 127.0.0.1 and ::1 (both must succeed, as in Kestrel);
/// - `*`, `+`, any host name: every address (IPv6 any, dual-stack; IPv4 any if IPv6 is missing);
/// - `0.0.0.0` / `[::]` / an IP literal: exactly that address;
/// - port 0: a free port, reported afterwards;
/// - `http://unix:/abs/path.sock`: a Unix-domain socket;
/// - `https://` with any of these: the same addresses, served over TLS (port 443 by default).
public struct ListenURL: Sendable, Equatable {
    public enum Host: Sendable, Equatable {
        case localhost
        case any
        case address(SocketAddress)
        case unixSocket(String)
    }

    public let original: String
    public let scheme: String
    public let host: Host
    public let port: UInt16

    public static func parseList(_ urls: String) throws(ServerStartError) -> [ListenURL] {
        var result: [ListenURL] = []
        for part in urls.split(separator: ";") {
            let trimmed = part.trimmingSpaces
            if !trimmed.isEmpty { result.append(try ListenURL(trimmed)) }
        }
        return result
    }

    public init(_ url: String) throws(ServerStartError) {
        original = url
        guard let schemeEnd = url.firstRange(of: "://") else {
            throw ServerStartError("Unrecognized scheme in server address '\(url)'. Only 'http://' and 'https://' are supported.")
        }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw ServerStartError("Unrecognized scheme in server address '\(url)'. Only 'http://' and 'https://' are supported.")
        }
        self.scheme = scheme
        var rest = Substring(url[schemeEnd.upperBound...])
        if rest.lowercased().hasPrefix("unix:") {
            let path = String(rest.dropFirst(5))
            guard path.hasPrefix("/") else { throw ServerStartError("Unix socket path must be absolute: '\(url)'.") }
            host = .unixSocket(path)
            port = 0
            return
        }
        if let slash = rest.firstIndex(of: "/") {
            guard rest[slash...].allSatisfy({ $0 == "/" }) else {
                throw ServerStartError("A path base can only be configured using the app's map(). The address '\(url)' has a path.")
            }
            rest = rest[..<slash]
        }
        var hostText: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw ServerStartError("Invalid address '\(url)': an IPv6 literal is not closed.") }
            hostText = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty {
                throw ServerStartError("Invalid address '\(url)'.")
            }
        } else if let colon = rest.lastIndex(of: ":") {
            hostText = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            hostText = rest
        }
        if let portText {
            guard let parsed = UInt16(portText) else { throw ServerStartError("Invalid port in server address '\(url)'.") }
            port = parsed
        } else {
            port = scheme == "https" ? 443 : 80
        }
        switch hostText.lowercased() {
        case "localhost":
            guard port != 0 else {
                throw ServerStartError("Dynamic port binding is not supported when binding to localhost. You must either bind to 127.0.0.1:0 or [::1]:0, or both.")
            }
            host = .localhost
        case "*", "+", "":
            host = .any
        default:
            if let literal = SocketAddress.parseIP(String(hostText), port: port) {
                host = .address(literal)
            } else {
                host = .any  // a host name binds every address, as in Kestrel
            }
        }
    }

    /// An `https://` URL: its connections pass through TLS.
    public var isHTTPS: Bool { scheme == "https" }

    /// The addresses to bind, in order.
    public var socketAddresses: [SocketAddress] {
        switch host {
        case .localhost: [SocketAddress.ipv4Loopback.with(port: port), SocketAddress.ipv6Loopback.with(port: port)]
        case .any: [SocketAddress.ipv6Any.with(port: port)]
        case .address(let address): [address]
        case .unixSocket(let path): [.unix(path: path)]
        }
    }

    /// How a bound address is shown in "Now listening on:" and the server-addresses feature.
    public func display(boundPort: Int) -> String {
        switch host {
        case .localhost: "\(scheme)://localhost:\(boundPort)"
        case .any: "\(scheme)://[::]:\(boundPort)"
        case .address(let address): address.isIPv6 ? "\(scheme)://[\(address.host)]:\(boundPort)" : "\(scheme)://\(address.host):\(boundPort)"
        case .unixSocket(let path): "\(scheme)://unix:\(path)"
        }
    }
}
