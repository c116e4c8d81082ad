import HostctlCore
import HostctlHTTP1
import Testing

// Feeding helpers shared by the tests: every input goes through the parser whole, split in two
// at every offset, and one byte at a time, and all of these must agree.

extension Array where Element == UInt8 {
    init(_ text: String) { self = Array(text.utf8) }
}

/// What parsing an input came to.
enum HeadOutcome: Equatable, CustomStringConvertible {
    case complete(HTTP1RequestHead)
    case incomplete
    case failed(HTTP1ParseError.Reason)

    var description: String {
        switch self {
        case .complete(let head): "complete(\(head.method) length \(head.length))"
        case .incomplete: "incomplete"
        case .failed(let reason): "failed(\(reason))"
        }
    }
}

/// A complete head with the bytes it points into, read back as Strings.
struct ParsedHead {
    let head: HTTP1RequestHead
    let bytes: [UInt8]

    func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
    func text(_ range: Range<Int>?) -> String? { range.map { text($0) } }

    var target: String { text(head.target) }
    var path: String { text(head.path) }
    var query: String? { text(head.query) }
    var authority: String? { text(head.authority) }
    var host: String? { text(head.host) }
    var fields: [String] { head.fields.map { "\(text($0.name)): \(text($0.value))" } }
}

/// Every offset to split an input of `count` bytes at.
func splitOffsets(_ count: Int) -> ClosedRange<Int> { 0...count }

/// A head that already parsed something quite different, to check that parsing into it again
/// leaves nothing of the old request behind.
func usedHead() -> HTTP1RequestHead {
    let old = Array("POST http://old.example/x?y HTTP/1.0\r\nHost: old.example\r\nContent-Length: 3\r\nConnection: keep-alive, upgrade, close\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n")
    var parser = HTTP1RequestHeadParser()
    var head = HTTP1RequestHead()
    let done = old.withUnsafeBytes { try? parser.parse($0, into: &head) }
    precondition(done == true)
    return head
}

private func outcome(_ body: () throws(HTTP1ParseError) -> HTTP1RequestHead?) -> HeadOutcome {
    do {
        guard let head = try body() else { return .incomplete }
        return .complete(head)
    } catch {
        return .failed(error.reason)
    }
}

/// Parses `input` whole, split in two at every offset (the first call with the prefix, the second
/// with all of it, as the parser's contract says) and one byte at a time; expects every way to
/// give the same outcome, and returns it.
@discardableResult
func parseHead(_ input: [UInt8], limits: HTTP1Limits = HTTP1Limits(), sourceLocation: SourceLocation = #_sourceLocation) -> HeadOutcome {
    input.withUnsafeBytes { all in
        let whole = outcome { () throws(HTTP1ParseError) -> HTTP1RequestHead? in
            var parser = HTTP1RequestHeadParser(limits: limits)
            var head = HTTP1RequestHead()
            return try parser.parse(all, into: &head) ? head : nil
        }
        for offset in splitOffsets(all.count) {
            let split = outcome { () throws(HTTP1ParseError) -> HTTP1RequestHead? in
                var parser = HTTP1RequestHeadParser(limits: limits)
                var head = HTTP1RequestHead()
                if try parser.parse(UnsafeRawBufferPointer(rebasing: all[..<offset]), into: &head) { return head }
                return try parser.parse(all, into: &head) ? head : nil
            }
            if split != whole {
                Issue.record("split at \(offset): \(split), whole: \(whole)", sourceLocation: sourceLocation)
                break
            }
        }
        let trickled = outcome { () throws(HTTP1ParseError) -> HTTP1RequestHead? in
            var parser = HTTP1RequestHeadParser(limits: limits)
            var head = usedHead()
            for count in 0...all.count where try parser.parse(UnsafeRawBufferPointer(rebasing: all[..<count]), into: &head) {
                return head
            }
            return nil
        }
        #expect(trickled == whole, "one byte at a time", sourceLocation: sourceLocation)
        return whole
    }
}

@discardableResult
func parseHead(_ text: String, limits: HTTP1Limits = HTTP1Limits(), sourceLocation: SourceLocation = #_sourceLocation) -> HeadOutcome {
    parseHead(Array(text), limits: limits, sourceLocation: sourceLocation)
}

/// Expects `input` to be a complete, valid head, and returns it for inspection.
func expectHead(_ input: [UInt8], limits: HTTP1Limits = HTTP1Limits(), sourceLocation: SourceLocation = #_sourceLocation) -> ParsedHead? {
    let result = parseHead(input, limits: limits, sourceLocation: sourceLocation)
    guard case .complete(let head) = result else {
        Issue.record("expected a complete head, got \(result)", sourceLocation: sourceLocation)
        return nil
    }
    return ParsedHead(head: head, bytes: input)
}

func expectHead(_ text: String, limits: HTTP1Limits = HTTP1Limits(), sourceLocation: SourceLocation = #_sourceLocation) -> ParsedHead? {
    expectHead(Array(text), limits: limits, sourceLocation: sourceLocation)
}

func expectFailure(
    _ input: [UInt8], _ reason: HTTP1ParseError.Reason, limits: HTTP1Limits = HTTP1Limits(),
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let result = parseHead(input, limits: limits, sourceLocation: sourceLocation)
    #expect(result == .failed(reason), sourceLocation: sourceLocation)
}

func expectFailure(
    _ text: String, _ reason: HTTP1ParseError.Reason, limits: HTTP1Limits = HTTP1Limits(),
    sourceLocation: SourceLocation = #_sourceLocation
) {
    expectFailure(Array(text), reason, limits: limits, sourceLocation: sourceLocation)
}

/// The error thrown for `input` parsed whole, to look at its detail.
func parseError(_ text: String, limits: HTTP1Limits = HTTP1Limits()) -> HTTP1ParseError? {
    var parser = HTTP1RequestHeadParser(limits: limits)
    var head = HTTP1RequestHead()
    let result = Array(text).withUnsafeBytes { bytes in
        Result { () throws(HTTP1ParseError) in try parser.parse(bytes, into: &head) }
    }
    if case .failure(let error) = result { return error }
    return nil
}

func limits(_ configure: (inout HTTP1Limits) -> Void) -> HTTP1Limits {
    var limits = HTTP1Limits()
    configure(&limits)
    return limits
}

// MARK: Bodies

/// What decoding a body came to: its bytes, the input it used, its trailers, and any error.
struct BodyOutcome: Equatable, CustomStringConvertible {
    var data: [UInt8] = []
    var consumed = 0
    var isComplete = false
    var trailers: [String] = []
    var error: HTTP1ParseError.Reason?

    var text: String { String(decoding: data, as: UTF8.self) }

    /// After an error the connection closes, so how much input was consumed before it does not
    /// matter (and depends on the split: framing bytes are consumed as they arrive).
    static func == (a: BodyOutcome, b: BodyOutcome) -> Bool {
        a.data == b.data && a.isComplete == b.isComplete && a.trailers == b.trailers && a.error == b.error
            && (a.error != nil || a.consumed == b.consumed)
    }
    var description: String {
        "data \(data.count) bytes, consumed \(consumed), complete \(isComplete), trailers \(trailers), error \(String(describing: error))"
    }
}

/// Runs a decoder over what has arrived, the way a connection would: decode, drop `consumed`,
/// repeat until a step makes no progress. Checks the step's accounting on the way.
private func pump(_ decoder: inout HTTP1BodyDecoder, _ pending: inout [UInt8], _ outcome: inout BodyOutcome, _ sourceLocation: SourceLocation) {
    var previousUsedAllInput = false
    while outcome.error == nil, !outcome.isComplete {
        do {
            let step = try decodeStep(&decoder, pending)
            if previousUsedAllInput {
                #expect(step.consumed == 0 && step.data == nil, "no data and not complete means all input was used", sourceLocation: sourceLocation)
            }
            previousUsedAllInput = step.data == nil && !step.isComplete
            #expect(step.consumed >= 0 && step.consumed <= pending.count, "consumed within the input", sourceLocation: sourceLocation)
            #expect(step.isComplete == decoder.isComplete, sourceLocation: sourceLocation)
            if let data = step.data {
                #expect(data.lowerBound >= 0 && data.upperBound <= step.consumed, "data inside the consumed bytes", sourceLocation: sourceLocation)
                outcome.data += pending[data]
            }
            pending.removeFirst(step.consumed)
            outcome.consumed += step.consumed
            if step.isComplete {
                outcome.isComplete = true
                outcome.trailers = decoder.trailers.map { "\($0.name): \($0.value)" }
            }
            if step.consumed == 0 && step.data == nil { return }
        } catch {
            outcome.error = error.reason
        }
    }
}

/// Decodes `input` whole, split in two at every offset, and one byte at a time; expects the
/// same body, consumption, trailers and error every way, and returns the outcome.
@discardableResult
func decodeBody(
    _ input: [UInt8], framing: HTTP1BodyFraming = .chunked, limits: HTTP1Limits = HTTP1Limits(),
    sourceLocation: SourceLocation = #_sourceLocation
) -> BodyOutcome {
    func run(_ pieces: [ArraySlice<UInt8>]) -> BodyOutcome {
        var decoder = HTTP1BodyDecoder(framing: framing, limits: limits)
        var pending: [UInt8] = []
        var outcome = BodyOutcome()
        for piece in pieces {
            pending += piece
            pump(&decoder, &pending, &outcome, sourceLocation)
        }
        if pieces.isEmpty { pump(&decoder, &pending, &outcome, sourceLocation) }
        return outcome
    }
    let whole = run([input[...]])
    for offset in splitOffsets(input.count) {
        let split = run([input[..<offset], input[offset...]])
        if split != whole {
            Issue.record("split at \(offset): \(split), whole: \(whole)", sourceLocation: sourceLocation)
            break
        }
    }
    let trickled = run(input.indices.map { input[$0...$0] })
    #expect(trickled == whole, "one byte at a time", sourceLocation: sourceLocation)
    return whole
}

@discardableResult
func decodeBody(
    _ text: String, framing: HTTP1BodyFraming = .chunked, limits: HTTP1Limits = HTTP1Limits(),
    sourceLocation: SourceLocation = #_sourceLocation
) -> BodyOutcome {
    decodeBody(Array(text), framing: framing, limits: limits, sourceLocation: sourceLocation)
}

/// One `decode` call on an array, keeping the error's type.
func decodeStep(_ decoder: inout HTTP1BodyDecoder, _ bytes: [UInt8]) throws(HTTP1ParseError) -> HTTP1BodyDecoder.Step {
    let result = bytes.withUnsafeBytes { raw in
        Result { () throws(HTTP1ParseError) in try decoder.decode(raw) }
    }
    return try result.get()
}
