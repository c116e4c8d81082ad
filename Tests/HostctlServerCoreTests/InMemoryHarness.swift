import Glibc
import HostctlCore
import HostctlHosting
import HostctlSystem
@testable import HostctlServerCore

/// A loop the test drives by hand: jobs queue up and run when the test says, on the
/// test's thread, and time moves only when the test moves it. It starts at the monotonic
/// clock's time, as a real loop's does, since some stamps mix the two (request timing's).
final class ManualLoop: EventLoopContext, TaskExecutor, @unchecked Sendable {
    let index = 0
    var now: Int64 = MonotonicClock.now()
    private let lock = Lock()
    private var jobs: [UnownedJob] = []
    private var work: [() -> Void] = []

    var taskExecutor: any TaskExecutor { self }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        lock.withLock { jobs.append(job) }
    }

    func execute(_ work: @escaping @Sendable () -> Void) {
        lock.withLock { self.work.append(work) }
    }

    func later(_ work: @escaping () -> Void) {
        lock.withLock { self.work.append(work) }
    }

    func afterEvents(_ work: @escaping () -> Void) { later(work) }

    private var states: [Int: any LoopLocalState] = [:]

    func localState<State: LoopLocalState>(key: Int, create: () -> State) -> State {
        if let existing = states[key] { return existing as! State }
        let state = create()
        states[key] = state
        return state
    }

    /// Runs everything queued, and whatever that queues, until nothing is left.
    func runUntilIdle() {
        for _ in 0..<10_000 {
            let (jobs, work) = lock.withLock { () -> ([UnownedJob], [() -> Void]) in
                defer { self.jobs.removeAll(); self.work.removeAll() }
                return (self.jobs, self.work)
            }
            if jobs.isEmpty && work.isEmpty { return }
            for item in work { item() }
            for job in jobs { job.runSynchronously(on: asUnownedTaskExecutor()) }
        }
    }

    func advance(seconds: Double) { now += Int64(seconds * 1e9) }
}

/// A transport that records what is sent; sends complete at once unless `holdsSends`.
final class MemoryTransport: ConnectionTransport {
    let loop: ManualLoop
    weak var handler: ConnectionHandler?
    var sent: [UInt8] = []
    var holdsSends = false
    private(set) var held: ByteBuffer?
    private(set) var closed = false
    private(set) var wasReset = false
    private(set) var resumedReading = 0
    private(set) var sentByteCount = 0
    /// What a TLS layer below would report; nil: a plain connection.
    var tls: TLSConnectionInfo?
    /// Offers sendFile, as a socket's transport does: the regions sent are read with
    /// pread into `sent` and recorded in `filesSent`.
    var sendsFiles = false
    private(set) var filesSent: [(offset: Int64, count: Int)] = []
    /// One entry per send or file send: how many bytes it carried.
    private(set) var sendSizes: [Int] = []

    init(loop: ManualLoop) { self.loop = loop }

    var localAddress: SocketAddress? { .ipv4(address: 0x7F00_0001, port: 80) }
    var remoteAddress: SocketAddress? { .ipv4(address: 0x7F00_0001, port: 50000) }

    func send(_ buffer: ByteBuffer) -> ByteBuffer? {
        if holdsSends {
            held = buffer
            return nil
        }
        sent.append(contentsOf: buffer.readableBytes)
        sentByteCount += buffer.readableCount
        sendSizes.append(buffer.readableCount)
        buffer.consume(buffer.readableCount)
        return buffer
    }

    var canSendFiles: Bool { sendsFiles }

    /// For each `prepareToSendFile`: how many sends had gone before it.
    private(set) var filePreparations: [Int] = []
    func prepareToSendFile() { filePreparations.append(sendSizes.count) }

    func sendFile(_ descriptor: Int32, offset: Int64, count: Int) -> FileSendResult {
        guard sendsFiles else { return .unsupported }
        var region = [UInt8](repeating: 0, count: count)
        let read = region.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, off_t(offset)) }
        guard read == count else { return .failed(EIO) }
        sent.append(contentsOf: region)
        sentByteCount += count
        sendSizes.append(count)
        filesSent.append((offset, count))
        return .sent
    }

    /// Lets a held send go out.
    func releaseHeldSend() {
        guard let buffer = held else { return }
        held = nil
        sent.append(contentsOf: buffer.readableBytes)
        sentByteCount += buffer.readableCount
        buffer.consume(buffer.readableCount)
        handler?.sendCompleted(buffer)
    }

    func resumeReading() { resumedReading += 1 }

    func replaceHandler(with handler: ServedConnection) { self.handler = handler }

    func reset() {
        wasReset = !closed
        close()
    }

    private(set) var outputShutDown = false
    func shutdownOutput() { outputShutDown = true }

    func close() {
        guard !closed else { return }
        closed = true
        let handler = self.handler
        loop.later { handler?.transportClosed() }
    }

    /// Takes what has been sent so far.
    func takeSent() -> String {
        defer { sent.removeAll() }
        return String(decoding: sent, as: UTF8.self)
    }
}

/// A server core with one connection, fed by hand (and more connections on request).
final class Harness {
    let loop = ManualLoop()
    let transport: MemoryTransport
    let core: HTTPServerCore
    let connection: HTTP1Connection
    private var otherConnections: [HTTP1Connection] = []

    /// `httpSysExtras`: the core applies HTTP.sys's extras, as the io_uring server's does.
    init(options: (inout ServerOptions) -> Void = { _ in }, httpSysExtras: Bool = false, handler: @escaping RequestHandler) {
        var serverOptions = ServerOptions()
        options(&serverOptions)
        core = HTTPServerCore(
            application: HTTPApplication(environmentName: "Production", handle: handler), options: serverOptions, loopCount: 1,
            appliesHTTPSysExtras: httpSysExtras
        )
        transport = MemoryTransport(loop: loop)
        connection = core.accept(transport, on: loop) as! HTTP1Connection
        transport.handler = connection
    }

    /// Another client's connection to the same core.
    func connect() -> (transport: MemoryTransport, connection: HTTP1Connection) {
        let transport = MemoryTransport(loop: loop)
        let connection = core.accept(transport, on: loop) as! HTTP1Connection
        transport.handler = connection
        otherConnections.append(connection)
        return (transport, connection)
    }

    /// Delivers bytes as a readiness transport would (into the handler's buffer) and runs the loop.
    @discardableResult
    func feed(_ text: String) -> Bool { feed(text, into: connection) }

    @discardableResult
    func feed(_ text: String, into connection: HTTP1Connection) -> Bool {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            guard let buffer = connection.receiveBuffer() else { return false }
            let count = min(bytes.count, buffer.writableCount)
            buffer.writableBytes.copyBytes(from: bytes.prefix(count))
            buffer.didWrite(count)
            bytes = bytes.dropFirst(count)
            connection.didReceive(count)
        }
        loop.runUntilIdle()
        return true
    }

    /// Ends the connections (their tasks finish), so nothing is left running after the test.
    func finish() {
        connection.abort(reason: "The test is over.")
        for other in otherConnections { other.abort(reason: "The test is over.") }
        loop.runUntilIdle()
    }

    func heartbeat(after seconds: Double) {
        loop.advance(seconds: seconds)
        core.heartbeat(on: loop)
        loop.runUntilIdle()
    }
}

extension String {
    func count(of needle: String) -> Int { split(separator: needle, omittingEmptySubsequences: false).count - 1 }

    /// The values of the header field `name` in the response head this text starts with.
    func headerValues(_ name: String) -> [String] {
        let head = firstRange(of: "\r\n\r\n").map { self[..<$0.lowerBound] } ?? self[...]
        return head.split(separator: "\r\n").dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == name.lowercased() else { return nil }
            return String(line[line.index(after: colon)...].drop { $0 == " " })
        }
    }

    /// What follows the first response head.
    var responseBody: String {
        guard let end = firstRange(of: "\r\n\r\n") else { return "" }
        return String(self[end.upperBound...])
    }
}
