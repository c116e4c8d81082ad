// libFuzzer entry point for the server core (the per-connection HTTP/1.1 and HTTP/2 drivers
// that both servers run; input that opens with HTTP/2's preface is handed over to HTTP/2, as
// on a cleartext endpoint for both), fed the way a transport feeds it: bytes copied into its receive buffers in
// pieces of any size (held while it pauses reading), sends that complete later, the peer's
// FIN, timeouts at heartbeats. Any bytes must end in responses and a closed or idle connection,
// never a trap, a hang or a memory error.
//
// The first input byte picks the options (HTTP.sys's extras with a response cache, bare LF,
// sends held until the next completion, a FIN at the end, a heartbeat between chunks) and
// the chunk size; the rest is what the client sends, pipelined requests and all.

import HostctlCore
import HostctlHosting
import HostctlServerCore

/// Jobs run on the fuzzer's thread when it says, so one input is one deterministic run.
private final class FuzzLoop: EventLoopContext, TaskExecutor, @unchecked Sendable {
    let index = 0
    var now: Int64 = 1_000_000_000_000
    var jobs: [UnownedJob] = []
    var work: [() -> Void] = []
    var taskExecutor: any TaskExecutor { self }

    func enqueue(_ job: consuming ExecutorJob) { jobs.append(UnownedJob(job)) }
    func execute(_ work: @escaping @Sendable () -> Void) { self.work.append(work) }
    func afterEvents(_ work: @escaping () -> Void) { self.work.append(work) }

    var states: [Int: any LoopLocalState] = [:]

    func localState<State: LoopLocalState>(key: Int, create: () -> State) -> State {
        if let existing = states[key] { return existing as! State }
        let state = create()
        states[key] = state
        return state
    }

    func runUntilIdle() {
        // Bounded: a driver that keeps queueing work forever is a hang, and a finding.
        for _ in 0..<100_000 {
            if jobs.isEmpty && work.isEmpty { return }
            let (jobs, work) = (self.jobs, self.work)
            self.jobs.removeAll()
            self.work.removeAll()
            for item in work { item() }
            for job in jobs { job.runSynchronously(on: asUnownedTaskExecutor()) }
        }
        fatalError("the connection kept queueing work")
    }
}

/// A completion transport in memory: sends finish at once, or at the next completion.
private final class FuzzTransport: ConnectionTransport {
    let loop: FuzzLoop
    weak var handler: ConnectionHandler?
    let holdsSends: Bool
    var held: ByteBuffer?
    var sentByteCount = 0
    var closed = false
    var readingStopped = false

    init(loop: FuzzLoop, holdsSends: Bool) {
        self.loop = loop
        self.holdsSends = holdsSends
    }

    var localAddress: SocketAddress? { .ipv4(address: 0x7F00_0001, port: 80) }
    var remoteAddress: SocketAddress? { .ipv4(address: 0x7F00_0001, port: 50000) }

    func send(_ buffer: ByteBuffer) -> ByteBuffer? {
        precondition(held == nil, "a second send while one is in flight")
        // Between close() and transportClosed the handler may still send; the real
        // transports take the buffer and drop it, and so does this one.
        if closed { return nil }
        if holdsSends {
            held = buffer
            return nil
        }
        sentByteCount += buffer.readableCount
        buffer.consume(buffer.readableCount)
        return buffer
    }

    /// The send in flight completes, as its CQE would.
    func completeHeldSend() {
        guard let buffer = held else { return }
        held = nil
        sentByteCount += buffer.readableCount
        buffer.consume(buffer.readableCount)
        handler?.sendCompleted(buffer)
    }

    func resumeReading() { readingStopped = false }
    func replaceHandler(with handler: ServedConnection) { self.handler = handler }
    func reset() { close() }

    func shutdownOutput() {}

    func close() {
        guard !closed else { return }
        closed = true
        held = nil
        let handler = self.handler
        loop.work.append { handler?.transportClosed() }
    }
}

private let application = HTTPApplication(environmentName: "Production") { context in
    // Reads some of the body (or all of it), so draining, 100-continue and body limits run.
    var read = 0
    for try await chunk in context.request.body {
        read += chunk.count
        if read > 2048 { break }
    }
    if context.request.path.hasPrefix("/cache") {
        context.response.headers["Cache-Control"] = "public, max-age=60"
    }
    if context.request.path.hasPrefix("/stream") {
        try await context.response.flush()  // chunked
    }
    try await context.response.write("read \(read)\n")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
    guard count > 0 else { return 0 }
    let flags = data[0]
    let input = UnsafeRawBufferPointer(start: data + 1, count: count - 1)
    let chunkSize = [1, 2, 7, 64, 4096][Int(flags & 0x7) % 5]
    let holdsSends = flags & 0x08 != 0
    let endsWithFIN = flags & 0x10 != 0
    let heartbeats = flags & 0x20 != 0
    var options = ServerOptions()
    options.allowsBareLineFeed = flags & 0x40 != 0
    options.maxRequestBodySize = 4096
    if flags & 0x80 != 0 { options.responseCache = ResponseCacheOptions(maxBytes: 8192, maxEntryBytes: 1024) }

    let loop = FuzzLoop()
    let core = HTTPServerCore(application: application, options: options, loopCount: 1, appliesHTTPSysExtras: flags & 0x80 != 0)
    let transport = FuzzTransport(loop: loop, holdsSends: holdsSends)
    // The connections reach the core without counting; this run owns it to its end.
    defer { withExtendedLifetime(core) {} }
    guard let connection = core.accept(transport, on: loop) else { return 0 }
    transport.handler = connection

    var offset = 0
    // Bytes received but not yet taken: the connection paused reading.
    var undelivered: ArraySlice<UInt8> = []
    // Bounded: a connection that never resumes reading ends the run, not the fuzzer.
    for _ in 0..<(input.count + 64) where !transport.closed && (offset < input.count || !undelivered.isEmpty) {
        if undelivered.isEmpty, offset < input.count {
            let end = min(input.count, offset + chunkSize)
            undelivered = ArraySlice(input[offset..<end])
            offset = end
        }
        while !undelivered.isEmpty, !transport.readingStopped, !transport.closed {
            // The handler of the moment: HTTP/1.1 may have handed the connection to HTTP/2.
            let connection = transport.handler ?? connection
            guard let buffer = connection.receiveBuffer() else {
                transport.readingStopped = true
                break
            }
            let count = min(buffer.writableCount, undelivered.count)
            buffer.writableBytes.copyBytes(from: undelivered.prefix(count))
            buffer.didWrite(count)
            undelivered = undelivered.dropFirst(count)
            connection.didReceive(count)
        }
        loop.runUntilIdle()
        transport.completeHeldSend()
        loop.runUntilIdle()
        if heartbeats {
            loop.now += 31_000_000_000  // past the request-headers timeout
            core.heartbeat(on: loop)
            loop.runUntilIdle()
        }
    }
    if endsWithFIN, !transport.closed { (transport.handler ?? connection).inputClosed() }
    loop.runUntilIdle()
    for _ in 0..<64 where transport.held != nil {
        transport.completeHeldSend()
        loop.runUntilIdle()
    }
    // Whatever state it is in, the connection must be closable without leaking its task.
    transport.close()
    loop.runUntilIdle()
    return 0
}
