import HostctlJSON
import Testing

@Suite struct JSONEncoderTests {
    func encoded<T: Encodable>(_ value: T, pretty: Bool = false, sorted: Bool = false) throws -> String {
        var encoder = JSONEncoder()
        encoder.prettyPrinted = pretty
        encoder.sortedKeys = sorted
        return text(try encoder.encode(value))
    }

    func encodingError<T: Encodable>(_ value: T) -> JSONEncodingError? {
        do {
            _ = try JSONEncoder().encode(value)
            return nil
        } catch {
            return error
        }
    }

    @Test func smallStructIsCompact() throws {
        #expect(try encoded(Message(message: "Hello, World!")) == #"{"message":"Hello, World!"}"#)
    }

    @Test func encodeIntoAppendsAndReusesTheBuffer() throws {
        var buffer = Array("HTTP body: ".utf8)
        try JSONEncoder().encode(Message(message: "a"), into: &buffer)
        #expect(text(buffer) == #"HTTP body: {"message":"a"}"#)
        buffer.removeAll(keepingCapacity: true)
        try JSONEncoder().encode([1, 2], into: &buffer)
        #expect(text(buffer) == "[1,2]")
    }

    @Test func failureLeavesTheBufferAsItWas() {
        var buffer = Array("keep".utf8)
        #expect(throws: JSONEncodingError.self) { try JSONEncoder().encode(["a": [1, .nan]], into: &buffer) }
        #expect(text(buffer) == "keep")
    }

    @Test func stringsAreEscaped() throws {
        #expect(try encoded("a\"b\\c/d\n\r\t\u{8}\u{C}\u{0}\u{1F}\u{7F}é😀\u{2028}")
            == "\"a\\\"b\\\\c/d\\n\\r\\t\\b\\f\\u0000\\u001f\u{7F}é😀\u{2028}\"")
        #expect(try encoded(["k\"\n": 1]) == #"{"k\"\n":1}"#)
        #expect(try encoded("") == #""""#)
    }

    @Test func integersOfEveryWidth() throws {
        #expect(try encoded([Int8.min, Int8.max]) == "[-128,127]")
        #expect(try encoded([Int16.min]) == "[-32768]")
        #expect(try encoded([Int32.min]) == "[-2147483648]")
        #expect(try encoded([Int64.min, Int64.max]) == "[-9223372036854775808,9223372036854775807]")
        #expect(try encoded(Int.min) == "-9223372036854775808")
        #expect(try encoded([UInt8.max]) == "[255]")
        #expect(try encoded([UInt16.max]) == "[65535]")
        #expect(try encoded([UInt32.max]) == "[4294967295]")
        #expect(try encoded(UInt64.max) == "18446744073709551615")
        #expect(try encoded(UInt.min) == "0")
        #expect(try encoded([Int128.min]) == "[-170141183460469231731687303715884105728]")
        #expect(try encoded(UInt128.max) == "340282366920938463463374607431768211455")
        #expect(try encoded([0, 7, 10, -10, 1_000_000]) == "[0,7,10,-10,1000000]")
    }

    @Test func floatingPointIsShortestAndIntegralValuesHaveNoFraction() throws {
        #expect(try encoded([1.0, -0.0, 0.1, 1.5, 100, 1e20, 1e-7, .leastNonzeroMagnitude, 1.7976931348623157e308])
            == "[1,-0,0.1,1.5,100,1e+20,1e-07,5e-324,1.7976931348623157e+308]")
        #expect(try encoded([Float(0.1), Float(3), Float(16_777_216)]) == "[0.1,3,16777216]")
    }

    @Test func nonFiniteNumbersAreErrorsWithTheirPath() {
        struct Point: Encodable { var values: [Double] }
        let error = encodingError(Point(values: [1, .nan]))
        #expect(error?.reason == .nonFiniteNumber("nan"))
        #expect(error?.path == "values[1]")
        #expect(error?.description == "values[1]: JSON has no representation for nan.")

        struct Keyed: Encodable { var x: Float }
        #expect(encodingError(Keyed(x: -.infinity))?.description == "x: JSON has no representation for -inf.")
        #expect(encodingError(Double.infinity)?.description == "JSON has no representation for inf.")
    }

    @Test func optionalsAreOmittedOrNull() throws {
        #expect(try encoded(Item(name: "a", count: 1)) == #"{"name":"a","count":1,"tags":[]}"#)
        #expect(try encoded(Item(name: "a", count: 1, note: "n")) == #"{"name":"a","count":1,"tags":[],"note":"n"}"#)
        #expect(try encoded([1, nil, 3] as [Int?]) == "[1,null,3]")
        #expect(try encoded(nil as String?) == "null")

        struct ExplicitNull: Encodable {
            enum CodingKeys: CodingKey { case a }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encodeNil(forKey: .a)
            }
        }
        #expect(try encoded(ExplicitNull()) == #"{"a":null}"#)
    }

    @Test func enumsAndDictionaries() throws {
        #expect(try encoded(Color.red) == #""red""#)
        #expect(try encoded([Shape.circle(radius: 1.5), .none], sorted: true) == #"[{"circle":{"radius":1.5}},{"none":{}}]"#)
        #expect(try encoded(["b": 2, "a": 1], sorted: true) == #"{"a":1,"b":2}"#)
        #expect(try encoded([3: "x"]) == #"{"3":"x"}"#)
        #expect(try encoded([String: Int]()) == "{}")
        #expect(try encoded([Int]()) == "[]")
    }

    @Test func sortedKeysOrderByUTF8BytesAtEveryLevel() throws {
        let value: [String: [String: Int]] = ["b": ["z": 1, "y": 2], "é": [:], "B": ["x": 0], "a": [:], "aa": [:], "": [:]]
        #expect(try encoded(value, sorted: true)
            == #"{"":{},"B":{"x":0},"a":{},"aa":{},"b":{"y":2,"z":1},"é":{}}"#)
    }

    @Test func prettyPrinting() throws {
        let value = Item(name: "a", count: 1, tags: ["x", "y"], note: nil)
        #expect(try encoded(value, pretty: true) == """
            {
              "name": "a",
              "count": 1,
              "tags": [
                "x",
                "y"
              ]
            }
            """)
        #expect(try encoded([[Int]](), pretty: true) == "[]")
        #expect(try encoded([[Int]()], pretty: true) == "[\n  []\n]")
        #expect(try encoded(5, pretty: true) == "5")
    }

    @Test func prettyPrintingWithSortedKeys() throws {
        let value: [String: [String: [Int]]] = ["b": ["d": [1], "c": []], "a": ["e": [2, 3]]]
        #expect(try encoded(value, pretty: true, sorted: true) == """
            {
              "a": {
                "e": [
                  2,
                  3
                ]
              },
              "b": {
                "c": [],
                "d": [
                  1
                ]
              }
            }
            """)
    }

    @Test func nestedContainersAndSuperEncoders() throws {
        struct Custom: Encodable {
            enum Keys: String, CodingKey { case a, b, c, d }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                var inner = container.nestedContainer(keyedBy: Keys.self, forKey: .a)
                try inner.encode(1, forKey: .b)
                var list = inner.nestedUnkeyedContainer(forKey: .c)
                try list.encode("x")
                var deeper = list.nestedContainer(keyedBy: Keys.self)
                try deeper.encode(true, forKey: .d)
                try list.encode(2.5)
                #expect(list.count == 3)
                var pair = list.nestedUnkeyedContainer()
                try pair.encodeNil()
                try container.encode("after", forKey: .b)
                _ = container.superEncoder()  // writes nothing: {}
                try Message(message: "m").encode(to: container.superEncoder(forKey: .c))
                try container.encode(0, forKey: .d)
            }
        }
        #expect(try encoded(Custom())
            == #"{"a":{"b":1,"c":["x",{"d":true},2.5,[null]]},"b":"after","super":{},"c":{"message":"m"},"d":0}"#)
    }

    class Animal: Encodable {
        var legs = 4
    }

    final class Dog: Animal {
        var name = "Rex"
        enum CodingKeys: CodingKey { case name }
        override func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try super.encode(to: container.superEncoder())
        }
    }

    final class Cat: Animal {
        var lives = 9
        enum CodingKeys: CodingKey { case lives }
        override func encode(to encoder: any Encoder) throws {
            try super.encode(to: encoder)  // shares the object
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(lives, forKey: .lives)
        }
    }

    @Test func classHierarchies() throws {
        #expect(try encoded(Dog()) == #"{"name":"Rex","super":{"legs":4}}"#)
        #expect(try encoded(Cat()) == #"{"legs":4,"lives":9}"#)
        #expect(try encoded([Dog(), Dog()]) == #"[{"name":"Rex","super":{"legs":4}},{"name":"Rex","super":{"legs":4}}]"#)
    }

    @Test func wrappersEncodeInPlace() throws {
        struct Wrapper<T: Encodable>: Encodable {
            var wrapped: T
            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                try container.encode(wrapped)
            }
        }
        #expect(try encoded(Wrapper(wrapped: Message(message: "x"))) == #"{"message":"x"}"#)
        #expect(try encoded(["w": Wrapper(wrapped: Wrapper(wrapped: [1]))]) == #"{"w":[1]}"#)
        #expect(try encoded(Wrapper(wrapped: "s")) == #""s""#)
    }

    @Test func valuesThatEncodeNothing() {
        struct Nothing: Encodable { func encode(to encoder: any Encoder) throws {} }
        #expect(encodingError(Nothing())?.reason == .noValue(type: "Nothing"))
        #expect(encodingError(Nothing())?.description == "Nothing did not encode any value.")
        #expect((try? encoded(["a": Nothing()])) == #"{"a":{}}"#)  // as Foundation
    }

    @Test func containerMisuseIsAnError() {
        struct Interleaved: Encodable {
            enum Keys: CodingKey { case a, b, c }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                var nested = container.nestedContainer(keyedBy: Keys.self, forKey: .a)
                try container.encode(1, forKey: .b)
                try nested.encode(2, forKey: .c)  // its object was already closed
            }
        }
        guard case .invalidContainerUse(let message) = encodingError(Interleaved())?.reason else {
            Issue.record("expected invalidContainerUse")
            return
        }
        #expect(message.contains("after its value was finished"))

        struct TwoKinds: Encodable {
            enum Keys: CodingKey { case a }
            func encode(to encoder: any Encoder) throws {
                var keyed = encoder.container(keyedBy: Keys.self)
                try keyed.encode(1, forKey: .a)
                var unkeyed = encoder.unkeyedContainer()
                try unkeyed.encode(2)
            }
        }
        #expect(encodingError(TwoKinds())?.reason
            == .invalidContainerUse("A value asked for an unkeyed container after already using a keyed container."))
    }

    @Test func errorsThrownByEncodeAreReportedWithTheirPath() {
        struct Refused: Error, CustomStringConvertible { var description: String { "refused" } }
        struct Picky: Encodable {
            func encode(to encoder: any Encoder) throws { throw Refused() }
        }
        struct Holder: Encodable { var list: [Picky] }
        let error = encodingError(Holder(list: [Picky()]))
        #expect(error?.reason == .invalidValue("refused"))
        #expect(error?.path == "list[0]")
        #expect(error?.underlyingError is Refused)

        struct Standard: Encodable {
            func encode(to encoder: any Encoder) throws {
                throw EncodingError.invalidValue(self, .init(codingPath: encoder.codingPath, debugDescription: "no"))
            }
        }
        #expect(encodingError(["x": [Standard()]])?.description == "x[0]: no")
    }

    struct Refused: Error {}

    /// Writes a member and an open nested array, then throws.
    struct HalfWritten: Encodable {
        enum Keys: CodingKey { case a, b }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode("partial", forKey: .a)
            var nested = container.nestedUnkeyedContainer(forKey: .b)
            try nested.encode(1)
            throw Refused()
        }
    }

    /// Catches every failure and carries on, as code written against Foundation may.
    struct Recovering: Encodable {
        enum Keys: CodingKey { case z, b, c, a }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(1, forKey: .z)
            do { try container.encode(Double.nan, forKey: .b) } catch { try container.encode("NaN", forKey: .b) }
            do { try container.encode(HalfWritten(), forKey: .a) } catch {}
            var list = container.nestedUnkeyedContainer(forKey: .c)
            do { try list.encode(HalfWritten()) } catch {}
            do { try list.encode(Float.infinity) } catch {}
            try list.encode(2)
            do { try list.encode([HalfWritten()]) } catch {}
            #expect(list.count == 1)
        }
    }

    @Test func catchingAnErrorMidwayStillLeavesValidJSON() throws {
        #expect(try encoded(Recovering()) == #"{"z":1,"b":"NaN","c":[2]}"#)
        #expect(try encoded(Recovering(), sorted: true) == #"{"b":"NaN","c":[2],"z":1}"#)
        #expect(try encoded(Recovering(), pretty: true, sorted: true) == """
            {
              "b": "NaN",
              "c": [
                2
              ],
              "z": 1
            }
            """)
    }

    @Test func codingPathsSeenByEncodeMethods() throws {
        final class Recorder: Encodable, @unchecked Sendable {
            var paths: [String] = []
            func encode(to encoder: any Encoder) throws {
                paths.append(encoder.codingPath.map { $0.stringValue }.joined(separator: "/"))
                var container = encoder.singleValueContainer()
                try container.encode(1)
            }
        }
        struct Holder: Encodable {
            let recorder: Recorder
            enum Keys: CodingKey { case a, b }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                try container.encode(recorder, forKey: .a)
                var list = container.nestedUnkeyedContainer(forKey: .b)
                try list.encode(recorder)
                try list.encode(recorder)
            }
        }
        let recorder = Recorder()
        #expect(try encoded(Holder(recorder: recorder)) == #"{"a":1,"b":[1,1]}"#)
        #expect(recorder.paths == ["a", "b/Index 0", "b/Index 1"])
    }
}
