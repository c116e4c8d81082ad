import HostctlSystem

/// What an app behind the front is told by the front (design §6, `FrontContract`): the
/// loopback port to bind, the pairing token every request must carry, the path base, and
/// where to report readiness. Our `UseIISIntegration`.
///
/// `HostingConfiguration` reads it from the environment the builder is given; an app needs
/// it only to look, since `WebApplication` applies it by itself:
///
/// ```swift
/// if case .success(let front?) = builder.hosting.frontIntegration {
///     print("behind the front on port \(front.port)")
/// }
/// ```
///
/// Its description and mirror leave the token out, so printing or dumping it is safe.
public struct FrontIntegrationConfiguration: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
    /// The port to bind on 127.0.0.1; 0 binds a free one (reported through `readyDescriptor`).
    public var port: UInt16
    /// The pairing token; a request without it in `FrontContract.tokenHeader` gets 400.
    public var token: String
    /// "" (none) or a path such as "/app", without a trailing slash.
    public var pathBase: String
    /// An inherited descriptor to write the bound port to once the app listens, if any.
    public var readyDescriptor: Int32?
    /// An inherited descriptor that reads end-of-file when the front is gone, if any.
    public var lifelineDescriptor: Int32?

    public init(port: UInt16, token: String, pathBase: String = "", readyDescriptor: Int32? = nil, lifelineDescriptor: Int32? = nil) {
        self.port = port
        self.token = token
        self.pathBase = Self.normalizedPathBase(pathBase)
        self.readyDescriptor = readyDescriptor
        self.lifelineDescriptor = lifelineDescriptor
    }

    /// The configuration the front passed in `environment`; nil when `HOSTCTL_PORT` or
    /// `HOSTCTL_TOKEN` is unset or empty, so the same binary runs bare. A port that is not
    /// a number from 0 to 65535 is an error; a `HOSTCTL_READY_FD` or `HOSTCTL_LIFELINE_FD`
    /// that is not a descriptor number is ignored (readiness is the front's concern, and it
    /// notices the silence; the front's end is also signalled by its parent-death signal).
    public static func read(from environment: ProcessEnvironment) throws(FrontIntegrationError) -> FrontIntegrationConfiguration? {
        guard let portText = environment[FrontContract.portVariable], !portText.isEmpty,
              let token = environment[FrontContract.tokenVariable], !token.isEmpty
        else { return nil }
        guard let port = parsePort(portText) else { throw .invalidPort(portText) }
        func descriptor(_ name: String) -> Int32? {
            environment[name].flatMap { Int32($0) }.flatMap { $0 > 2 ? $0 : nil }
        }
        return FrontIntegrationConfiguration(
            port: port, token: token, pathBase: environment[FrontContract.pathBaseVariable] ?? "",
            readyDescriptor: descriptor(FrontContract.readyDescriptorVariable),
            lifelineDescriptor: descriptor(FrontContract.lifelineDescriptorVariable)
        )
    }

    /// The one address the app listens on.
    public var listenURL: String { "http://127.0.0.1:\(port)" }

    public var description: String {
        "FrontIntegrationConfiguration(port: \(port), token: <redacted>, pathBase: \"\(pathBase)\", "
            + "readyDescriptor: \(readyDescriptor.map(String.init) ?? "nil"), lifelineDescriptor: \(lifelineDescriptor.map(String.init) ?? "nil"))"
    }

    public var customMirror: Mirror {
        Mirror(self, children: [
            "port": port, "token": "<redacted>", "pathBase": pathBase,
            "readyDescriptor": readyDescriptor as Any, "lifelineDescriptor": lifelineDescriptor as Any,
        ])
    }

    /// Decimal digits only (no sign, no spaces), at most 65535.
    static func parsePort(_ text: String) -> UInt16? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return UInt16(text)
    }

    /// "/app/" and "app" become "/app"; "/" and "" become "" (no path base), as UsePathBase
    /// trims its trailing slash.
    static func normalizedPathBase(_ text: String) -> String {
        let segments = text.split(separator: "/")
        return segments.isEmpty ? "" : "/" + segments.joined(separator: "/")
    }
}

/// The front's variables are unusable: the app cannot start behind it.
public enum FrontIntegrationError: Error, Equatable, CustomStringConvertible {
    case invalidPort(String)

    public var description: String {
        switch self {
        case .invalidPort(let value):
            "\(FrontContract.portVariable) must be a port number from 0 to 65535, but is '\(value)'."
        }
    }
}
