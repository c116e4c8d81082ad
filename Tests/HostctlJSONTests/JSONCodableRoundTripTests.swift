import HostctlJSON
import Testing

@Suite struct JSONCodableRoundTripTests {
    func roundTrip<T: Codable & Equatable>(_ value: T, pretty: Bool = false, sorted: Bool = false) throws -> T {
        var encoder = JSONEncoder()
        encoder.prettyPrinted = pretty
        encoder.sortedKeys = sorted
        return try JSONDecoder().decode(T.self, from: encoder.encode(value))
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func nestedValues(_ pretty: Bool, _ sorted: Bool) throws {
        #expect(try roundTrip(Order.sample, pretty: pretty, sorted: sorted) == Order.sample)
    }

    @Test func scalarsAtTheTop() throws {
        #expect(try roundTrip("é\u{0}\"") == "é\u{0}\"")
        #expect(try roundTrip(Int64.min) == .min)
        #expect(try roundTrip(UInt128.max) == .max)
        #expect(try roundTrip(0.1 + 0.2) == 0.1 + 0.2)
        #expect(try roundTrip(Float.leastNonzeroMagnitude) == .leastNonzeroMagnitude)
        #expect(try roundTrip(Double.greatestFiniteMagnitude) == .greatestFiniteMagnitude)
        #expect(try roundTrip(true) == true)
        #expect(try roundTrip(Int?.none) == nil)
        #expect(try roundTrip([String: [Int?]]()) == [:])
    }

    @Test func dictionariesAndOptionals() throws {
        let value: [String: [Int?]] = ["a": [1, nil], "": [], "é": [nil]]
        #expect(try roundTrip(value) == value)
        let keyed: [Int: String] = [1: "one", -2: "minus two"]
        #expect(try roundTrip(keyed) == keyed)
    }

    @Test func readValuesSerializeCompactly() throws {
        let source = """
            { "b": [1.50, -0, 1e+2, true, false, null], "a": {"x": "q\\"\\u00e9\\n"}, "b": {} }
            """
        let value = try JSONReader().read(Array(source.utf8))
        // Order, duplicates and number text are kept.
        #expect(text(value.serialized()) == #"{"b":[1.50,-0,1e+2,true,false,null],"a":{"x":"q\"é\n"},"b":{}}"#)
        #expect(try JSONReader().read(value.serialized()).serialized() == value.serialized())
        #expect(text(JSONValue.string("\u{1}").serialized()) == #""\u0001""#)
        #expect(text(JSONValue.array([]).serialized()) == "[]")
    }
}
