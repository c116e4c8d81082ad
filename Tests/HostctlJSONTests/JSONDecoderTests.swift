import HostctlJSON
import Testing

@Suite struct JSONDecoderTests {
    func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(type, from: Array(json.utf8))
    }

    @Test func decodesStructsWithOptionalsMissingOrNull() throws {
        #expect(try decode(Item.self, #"{"name":"a","count":1,"tags":["t"]}"#) == Item(name: "a", count: 1, tags: ["t"]))
        #expect(try decode(Item.self, #"{"name":"a","count":1,"tags":[],"note":null}"#).note == nil)
        #expect(try decode(Item.self, #"{"note":"n","tags":[],"count":1,"name":"a","extra":[{}]}"#).note == "n")
        #expect(try decode([Int?].self, "[1, null]") == [1, nil])
        #expect(try decode(String?.self, "null") == nil)
    }

    @Test func lastDuplicateKeyWins() throws {
        #expect(try decode(Message.self, #"{"message":"first","message":"last"}"#).message == "last")
        // Large objects use a hash index: same rule.
        let members = (0..<40).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
        let decoded = try decode([String: Int].self, "{\(members),\"k3\":-1}")
        #expect(decoded.count == 40)
        #expect(decoded["k3"] == -1)
        #expect(decoded["k39"] == 39)
    }

    @Test func strictSyntaxOnly() {
        #expect(decodingError([Int].self, "[1,]")?.reason == .syntax(JSONSyntaxError(.trailingCommaNotAllowed, at: JSONPosition(line: 1, column: 3))))
        #expect(decodingError([Int].self, "[1] // no")?.reason == .syntax(JSONSyntaxError(.commentsNotAllowed, at: JSONPosition(line: 1, column: 5))))
        #expect(decodingError([Int].self, "[1")?.description == "1:3: Unexpected end of the document; expected ',' or ']'.")
    }

    @Test func typeMismatchesNameThePath() {
        struct Named: Decodable { var name: String }
        struct Order: Decodable { var items: [Named] }
        let json = #"{"items":[{"name":"a"},{"name":"b"},{"name":7}]}"#
        let error = decodingError(Order.self, json)
        #expect(error?.reason == .typeMismatch(expected: "a string", found: "a number"))
        #expect(error?.path == "items[2].name")
        #expect(error?.description == "items[2].name: expected a string, found a number")
        #expect(error?.codingPath.count == 3)

        #expect(decodingError(Int.self, #""x""#)?.description == "expected a number, found a string")
        #expect(decodingError(Item.self, "[]")?.description == "expected an object, found an array")
        #expect(decodingError([Int].self, "{}")?.description == "expected an array, found an object")
        #expect(decodingError([String: Bool].self, #"{"a b":1}"#)?.description == #"["a b"]: expected a boolean, found a number"#)
    }

    @Test func missingKeysAndNulls() {
        let missing = decodingError([Item].self, #"[{"count":1}]"#)
        #expect(missing?.reason == .keyNotFound("name"))
        #expect(missing?.description == "[0].name: missing required key")

        let null = decodingError(Item.self, #"{"name":null,"count":1}"#)
        #expect(null?.reason == .valueNotFound(expected: "a string"))
        #expect(null?.description == "name: expected a string, found null")

        struct Holder: Decodable { var item: Item }
        #expect(decodingError(Holder.self, #"{"item":null}"#)?.description == "item: expected an object, found null")
        #expect(decodingError([Int].self, "[1,null]")?.description == "[1]: expected a number, found null")
    }

    @Test func integersMustFitExactly() throws {
        #expect(try decode([Int8].self, "[-128, 127, 1.0, 1e2, -0, 0.0e5, 12.50e1]") == [-128, 127, 1, 100, 0, 0, 125])
        #expect(try decode(UInt64.self, "18446744073709551615") == .max)
        #expect(try decode(Int64.self, "-9223372036854775808") == .min)
        #expect(try decode(Int128.self, "-170141183460469231731687303715884105728") == .min)
        #expect(try decode(UInt128.self, "3.4e38") == 340_000_000_000_000_000_000_000_000_000_000_000_000)
        #expect(try decode(UInt8.self, "-0") == 0)

        #expect(decodingError(Int8.self, "300")?.reason == .dataCorrupted("expected an integer from -128 to 127, found 300"))
        #expect(decodingError(Int8.self, "1.5")?.reason == .dataCorrupted("expected an integer, found 1.5"))
        #expect(decodingError(Int8.self, "-129")?.reason == .dataCorrupted("expected an integer from -128 to 127, found -129"))
        #expect(decodingError(UInt8.self, "-1")?.reason == .dataCorrupted("expected an integer from 0 to 255, found -1"))
        #expect(decodingError(UInt64.self, "18446744073709551616") != nil)
        #expect(decodingError(Int.self, "1e400") != nil)
        #expect(decodingError(Int.self, "1e-400")?.reason == .dataCorrupted("expected an integer, found 1e-400"))
        #expect(decodingError(Int.self, "123456789012345678901234567890") != nil)
        #expect(decodingError(Int16.self, "1e5") != nil)
        struct Counts: Decodable { var counts: [Int8] }
        #expect(decodingError(Counts.self, #"{"counts":[1,2,300]}"#)?.description
            == "counts[2]: expected an integer from -128 to 127, found 300")
    }

    @Test func floatingPoint() throws {
        #expect(try decode([Double].self, "[0.1, -1.5e-3, 1E2, 0, -0, 5e-324, 1.7976931348623157e308]")
            == [0.1, -1.5e-3, 100, 0, 0, .leastNonzeroMagnitude, 1.7976931348623157e308])
        #expect(try decode(Float.self, "0.1") == Float(0.1))
        #expect(decodingError(Double.self, "1e400")?.description
            == "expected a number of magnitude at most 1.7976931348623157e+308, found 1e400")
        #expect(decodingError(Float.self, "1e39") != nil)
    }

    @Test func handBuiltValuesCannotSmuggleNonNumbers() {
        for text in ["nan", "inf", "0x1p3", "", "1-", "--1"] {
            #expect(throws: JSONDecodingError.self, "\(text)") { try JSONDecoder().decode(Double.self, from: .number(text)) }
            #expect(throws: JSONDecodingError.self, "\(text)") { try JSONDecoder().decode(Int.self, from: .number(text)) }
        }
    }

    @Test func decodesFromAValueReadLeniently() throws {
        let value = try JSONReader(allowsComments: true, allowsTrailingCommas: true).read(Array(#"{"message": "hi", /* c */}"#.utf8))
        #expect(try JSONDecoder().decode(Message.self, from: value) == Message(message: "hi"))
    }

    @Test func enumsAndTheirErrors() throws {
        #expect(try decode([Color].self, #"["red","green"]"#) == [.red, .green])
        #expect(try decode(Shape.self, #"{"square":{"side":3}}"#) == .square(side: 3))
        let unknown = decodingError([String: Color].self, #"{"c":"purple"}"#)
        #expect(unknown?.path == "c")
        guard case .dataCorrupted(let text) = unknown?.reason else {
            Issue.record("\(String(describing: unknown))")
            return
        }
        #expect(text.contains("purple"))
        #expect(decodingError(Shape.self, #"{"circle":{"radius":1},"none":{}}"#) != nil)
    }

    @Test func errorsFromInitAreWrappedWithThePath() {
        struct TooYoung: Error {}
        struct Person: Decodable {
            var age: Int
            init(from decoder: any Decoder) throws {
                age = try decoder.singleValueContainer().decode(Int.self)
                if age < 18 { throw TooYoung() }
            }
        }
        struct Team: Decodable { var members: [Person] }
        let error = decodingError(Team.self, #"{"members":[20,12]}"#)
        #expect(error?.path == "members[1]")
        #expect(error?.underlyingError is TooYoung)
        #expect(error?.description == "members[1]: TooYoung()")

        struct Validated: Decodable {
            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: JSONDecoderTests.Keys.self)
                throw DecodingError.dataCorruptedError(forKey: .a, in: container, debugDescription: "a is wrong")
            }
        }
        #expect(decodingError(Validated.self, #"{"a":1}"#)?.description == "a: a is wrong")
    }

    enum Keys: String, CodingKey { case a, b, c }

    @Test func ownErrorsAreDecodingErrorsInsideInit() {
        // User code that catches DecodingError (e.g. to fall back) keeps working.
        struct Lenient: Decodable {
            var value: Int
            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: JSONDecoderTests.Keys.self)
                do {
                    value = try container.decode(Int.self, forKey: .a)
                } catch DecodingError.typeMismatch {
                    value = -1
                } catch DecodingError.keyNotFound(let key, _) {
                    value = key.stringValue == "a" ? -2 : -3
                }
            }
        }
        #expect((try? JSONDecoder().decode(Lenient.self, from: Array(#"{"a":"x"}"#.utf8)))?.value == -1)
        #expect((try? JSONDecoder().decode(Lenient.self, from: Array(#"{}"#.utf8)))?.value == -2)
    }

    @Test func unkeyedContainers() throws {
        struct Pair: Decodable {
            var first: String
            var second: Int
            var count: Int?
            init(from decoder: any Decoder) throws {
                var container = try decoder.unkeyedContainer()
                count = container.count
                #expect(try container.decodeNil() == false)
                // A failed decode does not move on.
                #expect(throws: DecodingError.self) { try container.decode(Int.self) }
                first = try container.decode(String.self)
                second = try container.decode(Int.self)
                #expect(container.isAtEnd)
            }
        }
        let pair = try decode(Pair.self, #"["a", 2]"#)
        #expect(pair.first == "a" && pair.second == 2 && pair.count == 2)
        #expect(decodingError(Pair.self, #"["a"]"#)?.description == "[1]: expected a number, but the array has only 1 element")
        #expect(decodingError([[Int]].self, #"[[1],[2,"x"]]"#)?.description == "[1][1]: expected a number, found a string")
    }

    @Test func nestedContainersAndSuperDecoders() throws {
        struct Custom: Decodable, Equatable {
            var b: Int
            var list: [String]
            var superMessage: Message
            var missingSuper: Bool
            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: JSONDecoderTests.Keys.self)
                let inner = try container.nestedContainer(keyedBy: JSONDecoderTests.Keys.self, forKey: .a)
                b = try inner.decode(Int.self, forKey: .b)
                var list = try inner.nestedUnkeyedContainer(forKey: .c)
                var strings: [String] = []
                while !list.isAtEnd { strings.append(try list.decode(String.self)) }
                self.list = strings
                superMessage = try Message(from: container.superDecoder(forKey: .b))
                missingSuper = try container.superDecoder().singleValueContainer().decodeNil()
                #expect(container.allKeys.map(\.stringValue) == ["a", "b"])
                #expect(container.contains(.c) == false)
            }
        }
        let value = try decode(Custom.self, #"{"a":{"b":1,"c":["x","y"]},"b":{"message":"m"},"zzz":0,"a":{"b":2,"c":[]}}"#)
        #expect(value.b == 2)
        #expect(value.list == [])
        #expect(value.superMessage == Message(message: "m"))
        #expect(value.missingSuper)
    }
}
