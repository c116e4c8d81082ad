import HostctlJSON

// Types shared by the encoder, decoder and round-trip tests.

struct Message: Codable, Equatable {
    let message: String
}

enum Color: String, Codable, Equatable {
    case red, green
}

enum Shape: Codable, Equatable {
    case circle(radius: Double)
    case square(side: Int)
    case none
}

struct Item: Codable, Equatable {
    var name: String
    var count: Int
    var tags: [String] = []
    var note: String?
}

struct Order: Codable, Equatable {
    var id: UInt64
    var items: [Item]
    var color: Color
    var shapes: [Shape]
    var totals: [String: Double]
    var matrix: [[Int8]]
    var flags: [Bool?]
    var nested: Order.Inner?
    var ratio: Float

    struct Inner: Codable, Equatable {
        var level: Int16
        var ok: Bool
    }
}

extension Order {
    static let sample = Order(
        id: 18_446_744_073_709_551_615,
        items: [
            Item(name: "a\"b\\c\n", count: -3, tags: ["x", "é😀"], note: nil),
            Item(name: "plain", count: 9_223_372_036_854_775_807, note: "n"),
        ],
        color: .green,
        shapes: [.circle(radius: 1.5), .square(side: 2), .none],
        totals: ["eur": 0.1, "usd": 1e20, "zero": 0],
        matrix: [[-128, 127], []],
        flags: [true, nil, false],
        nested: Order.Inner(level: -32768, ok: true),
        ratio: 0.1
    )
}

/// Decodes `type` from `json` and returns the error, or nil if it decoded.
func decodingError<T: Decodable>(_ type: T.Type, _ json: String) -> JSONDecodingError? {
    do {
        _ = try JSONDecoder().decode(type, from: Array(json.utf8))
        return nil
    } catch {
        return error
    }
}

func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
