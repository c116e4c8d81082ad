import Glibc
@testable import HostctlFront
import Testing

/// How the front finds an app that does not report its port: the port it gives it, and the
/// check that whoever listens there is the app.
@Suite struct PortProbeTests {
    /// A socket listening on 127.0.0.1 and a free port, held by this process.
    final class Listener {
        let fd: Int32
        let port: UInt16

        init() throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            self.fd = fd
            port = UInt16(bigEndian: address.sin_port)
            try #require(bound == 0 && listen(fd, 8) == 0)
        }

        deinit { close(fd) }
    }

    static let table = """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0
           1: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4343 1 0000000000000000 100 0 0 10 0
           2: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000  1000        0 4444 1 0000000000000000 20 4 30 10 -1
           3: 0100007F:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4545 1 0000000000000000 100 0 0 10 0
        """
    static let table6 = """
          sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4646 1 0000000000000000 100 0 0 10 0
        """

    @Test func listeningSocketsOnThePortAreFoundInBothTables() {
        #expect(ListenerOwnership.listeningInodes(port: 8080, in: Self.table) == [4242, 4343], "LISTEN (0A) only, on 8080 (1F90) only")
        #expect(ListenerOwnership.listeningInodes(port: 8081, in: Self.table) == [4545])
        #expect(ListenerOwnership.listeningInodes(port: 8080, in: Self.table6) == [4646])
        #expect(ListenerOwnership.listeningInodes(port: 9, in: Self.table).isEmpty)
        #expect(ListenerOwnership.listeningInodes(port: 8080, in: "").isEmpty)
        #expect(ListenerOwnership.listeningInodes(port: 8080, in: "header\n  0: garbage\n").isEmpty)
    }

    @Test func theProcessGroupIsReadPastACommandWithSpacesAndParentheses() {
        #expect(ListenerOwnership.processGroup(statLine: "123 (python3) S 1 123 123 0 -1 4194560") == 123)
        #expect(ListenerOwnership.processGroup(statLine: "77 (my (odd) app) R 5 70 70 0") == 70)
        #expect(ListenerOwnership.processGroup(statLine: "77 no parenthesis") == nil)
    }

    @Test func aListenerIsTheAppsOnlyWhenAProcessOfItsGroupHoldsIt() throws {
        let listener = try Listener()
        #expect(ListenerOwnership.isListening(port: listener.port, inGroup: getpgrp()) == true)
        #expect(ListenerOwnership.isListening(port: listener.port, inGroup: 0x3FFF_FFF0) == false, "a group nobody is in")

        // The probe connects, and then asks whose listener it reached.
        var ours = PortProbe(port: listener.port, group: getpgrp(), now: 0)
        let found = ours.look(now: 0)
        #expect(found)
        var stranger = PortProbe(port: listener.port, group: 0x3FFF_FFF0, now: 0)
        let misfound = stranger.look(now: 0)
        #expect(!misfound, "someone else's listener is not the app")
    }

    @Test func theProbeBacksOffTo250Milliseconds() {
        // Nobody listens on port 1 on loopback (it would need root and a reason).
        var probe = PortProbe(port: 1, group: getpgrp(), now: 0)
        var dues: [Int64] = []
        var now: Int64 = 0
        var found = false
        for _ in 0..<8 {
            found = found || probe.look(now: now)
            dues.append(probe.due - now)
            now = probe.due
        }
        #expect(!found)
        #expect(dues == [10, 20, 40, 80, 160, 250, 250, 250].map { Int64($0) * 1_000_000 })
        let early = probe.look(now: now - 1)
        #expect(!early && probe.due == now, "nothing happens before it is due")
    }

    @Test func theGivenPortIsFreeAndBelowTheEphemeralRange() throws {
        let lower = FreePort.ephemeralRange()?.lower ?? 32768
        for _ in 0..<20 {
            let port = try #require(FreePort.pick())
            #expect(port >= FreePort.lowest && port < lower, "\(port)")
        }
        let listener = try Listener()
        #expect(!FreePort.isFree(listener.port), "a port someone listens on is not free")
    }
}
