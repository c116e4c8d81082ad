/// Where to look for an app listening on a URL of the forms design §5 allows.
enum ListenAddress: Equatable {
    case tcp(hosts: [String], port: UInt16)
    case unix(path: String)

    /// `http://localhost:5000`, `http://*:80`, `http://[::1]:8080/`, `http://unix:/run/app.sock`.
    /// Wildcards are reachable on the loopback addresses; nil when the URL names port 0 (the
    /// real port is only known to the app) or cannot be understood.
    init?(url: String) {
        guard let schemeEnd = url.firstRange(of: "://") else { return nil }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        var rest = Substring(url[schemeEnd.upperBound...])
        if rest.hasPrefix("unix:") {
            self = .unix(path: String(rest.dropFirst("unix:".count)))
            return
        }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        let port: UInt16
        if let portText {
            guard let parsed = UInt16(portText) else { return nil }
            port = parsed
        } else {
            port = scheme == "https" ? 443 : 80
        }
        guard port != 0 else { return nil }
        switch host.lowercased() {
        case "localhost": self = .tcp(hosts: ["127.0.0.1", "::1"], port: port)
        case "*", "+", "0.0.0.0", "": self = .tcp(hosts: ["127.0.0.1"], port: port)
        case "::": self = .tcp(hosts: ["::1"], port: port)
        default: self = .tcp(hosts: [String(host)], port: port)
        }
    }
}
