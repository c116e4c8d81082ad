import CHostctlLinux
import Glibc
import HostctlSystem

/// Turns SIGINT and SIGTERM into calls of `onSignal` on a watcher thread, through a
/// self-pipe (the handler only writes one byte, which is async-signal-safe).
final class ShutdownSignals: @unchecked Sendable {
    private let readEnd: Int32
    private let writeEnd: Int32
    private var watcher: NativeThread?

    init(onSignal: @escaping @Sendable (Int32) -> Void) throws(SystemError) {
        let ends = try Descriptor.pipe()
        readEnd = ends.read
        writeEnd = ends.write
        try Descriptor.setNonBlocking(writeEnd)
        guard chl_install_shutdown_signals(writeEnd) == 0 else { throw SystemError.last("sigaction") }
        let readEnd = self.readEnd
        watcher = NativeThread(name: "hostctl-signals") {
            var byte: UInt8 = 0
            while true {
                let count = read(readEnd, &byte, 1)
                if count == 1 { onSignal(Int32(byte)); continue }
                if count < 0 && errno == EINTR { continue }
                return  // the pipe was closed: the app is ending
            }
        }
    }
}
