import Glibc
import HostctlCore
import HostctlHosting
import HostctlTransport

/// Binds a server's URLs the same way for every transport: each TCP address with one
/// SO_REUSEPORT listener per loop (the kernel spreads connections across them), a Unix
/// socket with one listener on the first loop; port 0 resolved once and shared; Kestrel's
/// messages for addresses in use; localhost's IPv6 half skipped with a warning where the
/// machine has no IPv6.
struct ListenerBinding {
    let loopCount: Int
    /// Makes and starts a listener for `descriptor` on loop `index` (TCP when `isTCP`), for
    /// `url`. On failure it closes the descriptor and throws.
    let listen: (_ descriptor: Int32, _ loopIndex: Int, _ isTCP: Bool, _ url: ListenURL) throws(ServerStartError) -> Void

    /// Binds every URL; returns the addresses to show ("http://127.0.0.1:5000"), once each.
    func bind(_ urls: [ListenURL]) throws(ServerStartError) -> [String] {
        var bound: [String] = []
        for url in urls {
            for address in url.socketAddresses {
                guard let port = try bind(address, for: url) else { continue }
                bound.append(url.display(boundPort: port))
            }
        }
        // Several addresses of one URL (localhost's two loopbacks) are shown once.
        var seen: Set<String> = []
        return bound.filter { seen.insert($0).inserted }
    }

    /// Returns the bound port, or nil when the address is unavailable on this machine and
    /// the URL allows skipping it (localhost without IPv6).
    private func bind(_ address: SocketAddress, for url: ListenURL) throws(ServerStartError) -> Int? {
        var isTCP = true
        if case .unix = address { isTCP = false }
        var target = address
        for loopIndex in 0..<(isTCP ? loopCount : 1) {
            let opened: (descriptor: Int32, bound: SocketAddress)
            do {
                // Only the first loop's bind checks that the port is free; the others join it.
                opened = try ListeningSocket.open(target, reusePort: isTCP, joiningOwnGroup: loopIndex > 0)
            } catch {
                if url.host == .localhost, address.isIPv6, [EADDRNOTAVAIL, EAFNOSUPPORT].contains(error.code) {
                    HostingConsole.error("warn: Unable to bind to \(url.original) on the IPv6 loopback interface: \(error.reason).")
                    return nil
                }
                if url.host == .any, address.isIPv6, [EADDRNOTAVAIL, EAFNOSUPPORT].contains(error.code) {
                    return try bind(SocketAddress.ipv4Any.with(port: UInt16(address.port)), for: url)
                }
                if error.code == EADDRINUSE {
                    throw ServerStartError("Failed to bind to address \(url.display(boundPort: target.port)): address already in use.")
                }
                throw ServerStartError("Failed to bind to address \(url.display(boundPort: target.port)): \(error.reason).")
            }
            // Port 0: the first loop's listener picks the port; the others join it.
            target = opened.bound
            try listen(opened.descriptor, loopIndex, isTCP, url)
        }
        return target.port
    }
}
