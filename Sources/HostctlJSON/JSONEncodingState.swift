/// The output and the stack of open values shared by every encoder and container of one
/// `JSONEncoder.encode` call.
///
/// Values are written as they are encoded, never gathered into a tree. Each frame is a
/// value being written: pending (nothing yet), an open object or array, or a finished
/// single value. A container writes only while its frame is the innermost, so before
/// writing it closes (writes `}` or `]` for) every frame above it; a value's frames are
/// also closed when its `encode(to:)` returns. Misuse that a streaming writer cannot
/// honour is recorded in `failure` (the container APIs cannot throw) and reported at the end.
final class JSONEncodingState {
    enum Kind { case pending, object, array, single }

    /// How a frame's value is reached from its parent.
    enum Component {
        case root
        case key(any CodingKey)
        case index(Int)

        var codingKey: (any CodingKey)? {
            switch self {
            case .root: nil
            case .key(let key): key
            case .index(let index): JSONKey(index: index)
            }
        }
    }

    struct Frame {
        var kind: Kind
        /// Members or elements written so far.
        var count = 0
        /// Tells a container whose frame was closed (and maybe replaced) from the current one.
        let id: Int
        let component: Component
        /// With sorted keys: each member's key and where its text starts, to reorder at close.
        var members: [(key: String, start: Int)] = []

        init(kind: Kind, id: Int, component: Component) {
            self.kind = kind
            self.id = id
            self.component = component
        }
    }

    // Unchecked exclusivity: these are touched only by this class's own methods, never across
    // a call into a value's encode(to:), so accesses cannot overlap; the runtime checks cost
    // about a third of the time of encoding a small struct.
    @exclusivity(unchecked) var output: [UInt8] = []
    @exclusivity(unchecked) private var frames: [Frame] = []
    let prettyPrinted: Bool
    let sortedKeys: Bool
    /// Open objects and arrays: the indentation level when pretty printing.
    @exclusivity(unchecked) private var depth = 0
    @exclusivity(unchecked) private var lastID = 0
    @exclusivity(unchecked) private(set) var failure: JSONEncodingError?

    init(prettyPrinted: Bool, sortedKeys: Bool) {
        self.prettyPrinted = prettyPrinted
        self.sortedKeys = sortedKeys
        frames.reserveCapacity(8)
    }

    // MARK: Values and frames

    func encodeRoot<T: Encodable>(_ value: T) throws {
        let encoder = push(.pending, .root)
        do {
            try value.encode(to: encoder)
        } catch let error as EncodingError {
            throw error
        } catch {
            throw wrap(error, value: value, frame: 0)
        }
        close(above: 0)
        if frames[0].kind == .pending { fail(.noValue(type: String(describing: T.self)), frame: 0) }
        close(above: -1)
    }

    /// Encodes a value reached by `component` from the container at `frame`, which has
    /// already written the key or separator.
    func encodeValue<T: Encodable>(_ value: T, as component: Component, in frame: Int) throws {
        // Common leaves of arrays and dictionaries, without a frame and an encode(to:) call.
        if T.self == String.self { return JSONWriter.writeString(value as! String, into: &output) }
        if T.self == Int.self { return JSONWriter.writeInteger(value as! Int, into: &output) }
        if T.self == Bool.self { return writeBool(value as! Bool) }
        if T.self == Double.self {
            try requireFinite(value as! Double, path: codingPath(through: frame) + [component.codingKey!])
            return writeFloatingPoint(value as! Double)
        }
        let encoder = push(.pending, component)
        do {
            try value.encode(to: encoder)
        } catch let error as EncodingError {
            throw error
        } catch {
            throw wrap(error, value: value, frame: encoder.frame)
        }
        close(above: frame)
    }

    /// Encodes a value in place of the current one, for a single value container's
    /// `encode<T>`: the value's containers become the frame's own.
    func encodeInPlace<T: Encodable>(_ value: T, frame: Int, id: Int) throws {
        if T.self == String.self || T.self == Int.self || T.self == Bool.self || T.self == Double.self {
            if T.self == Double.self { try requireFinite(value as! Double, path: codingPath(through: frame)) }
            guard beginSingle(frame, id: id) else { return }
            if T.self == String.self { return JSONWriter.writeString(value as! String, into: &output) }
            if T.self == Int.self { return JSONWriter.writeInteger(value as! Int, into: &output) }
            if T.self == Bool.self { return writeBool(value as! Bool) }
            return writeFloatingPoint(value as! Double)
        }
        guard enter(frame, id: id, as: .pending) else { return }
        try value.encode(to: JSONValueEncoder(state: self, frame: frame, id: id))
    }

    private func wrap(_ error: any Error, value: Any, frame: Int) -> EncodingError {
        let context = EncodingError.Context(codingPath: codingPath(through: frame), debugDescription: String(describing: error),
                                            underlyingError: error)
        return .invalidValue(value, context)
    }

    /// Pushes a pending value, or an object or array whose bracket is written now.
    func push(_ kind: Kind, _ component: Component) -> JSONValueEncoder {
        switch kind {
        case .object: openBracket(UInt8(ascii: "{"))
        case .array: openBracket(UInt8(ascii: "["))
        case .pending, .single: break
        }
        lastID &+= 1
        frames.append(Frame(kind: kind, id: lastID, component: component))
        return JSONValueEncoder(state: self, frame: frames.count - 1, id: lastID)
    }

    private func openBracket(_ bracket: UInt8) {
        output.append(bracket)
        depth += 1
    }

    /// Closes every frame above `frame` (all of them for -1).
    func close(above frame: Int) {
        while frames.count - 1 > frame {
            let top = frames.removeLast()
            switch top.kind {
            case .single:
                break
            case .pending:
                // Nothing was written for a nested value (or a super encoder): `{}`, as Foundation.
                output.append(UInt8(ascii: "{"))
                output.append(UInt8(ascii: "}"))
            case .object:
                if sortedKeys, top.members.count > 1 { sortMembers(top.members) }
                closeBracket(UInt8(ascii: "}"), count: top.count)
            case .array:
                closeBracket(UInt8(ascii: "]"), count: top.count)
            }
        }
    }

    private func closeBracket(_ bracket: UInt8, count: Int) {
        depth -= 1
        if prettyPrinted, count > 0 { newlineAndIndent() }
        output.append(bracket)
    }

    /// Reorders the members of the object being closed by their keys' UTF-8 bytes. Each
    /// member's text is position-independent and all separators but the first are equal,
    /// so the members can be cut out and laid down again.
    private func sortMembers(_ members: [(key: String, start: Int)]) {
        let order = members.indices.sorted { a, b in
            let (x, y) = (members[a].key.utf8, members[b].key.utf8)
            return x.lexicographicallyPrecedes(y) || (x.elementsEqual(y) && a < b)
        }
        if order.elementsEqual(members.indices) { return }
        let separatorLength = prettyPrinted ? 2 + 2 * depth : 1
        func range(_ i: Int) -> Range<Int> {
            members[i].start..<(i + 1 < members.count ? members[i + 1].start - separatorLength : output.count)
        }
        let separator = output[range(0).upperBound..<members[1].start]
        var sorted: [UInt8] = []
        sorted.reserveCapacity(output.count - members[0].start)
        for (position, i) in order.enumerated() {
            if position > 0 { sorted.append(contentsOf: separator) }
            sorted.append(contentsOf: output[range(i)])
        }
        output.replaceSubrange(members[0].start..., with: sorted)
    }

    // MARK: Checks before writing

    /// Makes `frame` the innermost frame and checks it is still the one the caller holds and
    /// of the expected kind; records misuse and returns false otherwise.
    @inline(__always)
    func enter(_ frame: Int, id: Int, as kind: Kind) -> Bool {
        guard frame < frames.count, frames[frame].id == id else {
            fail(.invalidContainerUse("A container was used after its value was finished: a streaming encoder needs each nested container filled before its parent is written to again."),
                 frame: frame)
            return false
        }
        if frames.count - 1 > frame { close(above: frame) }
        guard frames[frame].kind == kind else {
            fail(.invalidContainerUse(misuse(wanted: kind, found: frames[frame].kind)), frame: frame)
            return false
        }
        return true
    }

    private func misuse(wanted: Kind, found: Kind) -> String {
        func name(_ kind: Kind) -> String {
            switch kind {
            case .pending, .single: "a single value container"
            case .object: "a keyed container"
            case .array: "an unkeyed container"
            }
        }
        if wanted == .pending && found == .single { return "A single value container was asked to encode a second value." }
        return "A value asked for \(name(wanted)) after already using \(name(found))."
    }

    /// For `Encoder.container(keyedBy:)` and `unkeyedContainer()`: opens the value as an
    /// object or array, or continues the one already open (a subclass and its superclass
    /// sharing one encoder write into one object, as with Foundation).
    func open(_ kind: Kind, frame: Int, id: Int) {
        guard frame < frames.count, frames[frame].id == id else {
            _ = enter(frame, id: id, as: kind)  // records the misuse
            return
        }
        close(above: frame)
        if frames[frame].kind == .pending {
            openBracket(kind == .object ? UInt8(ascii: "{") : UInt8(ascii: "["))
            frames[frame].kind = kind
        } else {
            _ = enter(frame, id: id, as: kind)
        }
    }

    /// For a single value container: the value must not have been written yet.
    @inline(__always)
    func beginSingle(_ frame: Int, id: Int) -> Bool {
        guard enter(frame, id: id, as: .pending) else { return false }
        frames[frame].kind = .single
        return true
    }

    func fail(_ reason: JSONEncodingError.Reason, frame: Int) {
        if failure == nil { failure = JSONEncodingError(reason, codingPath: codingPath(through: frame)) }
    }

    // MARK: Undoing a member that threw

    /// What to restore if a member's or element's value throws.
    struct Mark {
        let output: Int
        let count: Int
        let members: Int
        let depth: Int
    }

    func mark(_ frame: Int) -> Mark {
        Mark(output: output.count, count: frames[frame].count, members: frames[frame].members.count, depth: depth)
    }

    /// Removes a member or element whose value threw (its key, separator and whatever it
    /// wrote), so user code that catches the error and goes on still produces valid JSON.
    func rollBack(to mark: Mark, frame: Int, id: Int) {
        guard frame < frames.count, frames[frame].id == id else {
            fail(.invalidContainerUse("A value that failed to encode had closed its parent; the output cannot be repaired."), frame: frame)
            return
        }
        frames.removeSubrange((frame + 1)...)
        depth = mark.depth
        output.removeSubrange(mark.output...)
        frames[frame].count = mark.count
        frames[frame].members.removeSubrange(mark.members...)
    }

    // MARK: Writing

    /// Writes the separator and `"key":` of the next member of the object at `frame`.
    func writeKey(_ key: String, in frame: Int) {
        let index = frames[frame].count
        frames[frame].count = index + 1
        if prettyPrinted {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            newlineAndIndent()
        } else if index > 0 {
            output.append(UInt8(ascii: ","))
        }
        if sortedKeys { frames[frame].members.append((key, output.count)) }
        JSONWriter.writeString(key, into: &output)
        output.append(UInt8(ascii: ":"))
        if prettyPrinted { output.append(UInt8(ascii: " ")) }
    }

    /// Writes the separator before the next element of the array at `frame`; returns its index.
    func writeElementSeparator(in frame: Int) -> Int {
        let index = frames[frame].count
        frames[frame].count = index + 1
        if prettyPrinted {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            newlineAndIndent()
        } else if index > 0 {
            output.append(UInt8(ascii: ","))
        }
        return index
    }

    private func newlineAndIndent() {
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
    }

    func writeNull() { JSONWriter.writeLiteral("null", into: &output) }

    func writeBool(_ value: Bool) { JSONWriter.writeLiteral(value ? "true" : "false", into: &output) }

    func writeString(_ value: String) { JSONWriter.writeString(value, into: &output) }

    func writeInteger<T: FixedWidthInteger>(_ value: T) { JSONWriter.writeInteger(value, into: &output) }

    /// Checked before anything of the member is written, so a caller that catches the
    /// error leaves no half-written member behind.
    func requireFinite<F: BinaryFloatingPoint & LosslessStringConvertible>(
        _ value: F, path: @autoclosure () -> [any CodingKey]
    ) throws {
        guard value.isFinite else {
            throw JSONEncodingError(.nonFiniteNumber(value.description), codingPath: path()).asEncodingError(value: value)
        }
    }

    func writeFloatingPoint<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F) {
        JSONWriter.writeFloatingPoint(value, into: &output)
    }

    // MARK: Paths

    /// The keys from the root to the value of `frame`.
    func codingPath(through frame: Int) -> [any CodingKey] {
        let last = min(frame, frames.count - 1)
        guard last >= 1 else { return [] }
        var path: [any CodingKey] = []
        path.reserveCapacity(last)
        for index in 1...last {
            if let key = frames[index].component.codingKey { path.append(key) }
        }
        return path
    }

    func count(of frame: Int, id: Int) -> Int {
        frame < frames.count && frames[frame].id == id ? frames[frame].count : 0
    }
}
