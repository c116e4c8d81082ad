import Foundation
import HostctlCore
@testable import HostctlHPACK
import HostctlTestSupport
import Testing

/// The code table against RFC 7541 Appendix B as the RFC prints it, and the decoder's state
/// machine (built from that table) against every code.
@Suite struct HuffmanTableTests {
    /// (code, length) per symbol, read from the RFC's rows in Fixtures/rfc7541-appendix-b.txt.
    static let rfcCodes: [(code: UInt32, length: Int)] = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/rfc7541-appendix-b.txt").path
        let text = try! String(contentsOfFile: path, encoding: .utf8)
        var codes: [(UInt32, Int)] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            // "'!' ( 33)  |11111110|00    3f8  [10]": the symbol in parentheses, the bits, the hex, the length.
            // The symbol's own column may be '(', ')' or '|', so anchor on ")  |" that ends the number.
            let close = line.range(of: ")  |")!
            let afterSymbol = line[close.upperBound...]
            let columns = afterSymbol.split(separator: " ", omittingEmptySubsequences: true)
            let bits = columns[0].replacingOccurrences(of: "|", with: "")
            let code = UInt32(columns[1], radix: 16)!
            let length = Int(line[line.lastIndex(of: "[")!...].dropFirst().dropLast().trimmingCharacters(in: .whitespaces))!
            let open = line[..<close.lowerBound].lastIndex(of: "(")!
            let symbol = Int(line[line.index(after: open)..<close.lowerBound].trimmingCharacters(in: .whitespaces))!
            precondition(symbol == codes.count, "rows out of order at \(symbol)")
            precondition(UInt32(bits, radix: 2) == code && bits.count == length, "row \(symbol) disagrees with itself")
            codes.append((code, length))
        }
        return codes
    }()

    @Test func codeTableIsTheRFCs() {
        #expect(Self.rfcCodes.count == 257)
        #expect(HuffmanCodeTable.codes.count == 257 && HuffmanCodeTable.codeLengths.count == 257)
        for symbol in 0..<257 {
            #expect(HuffmanCodeTable.codes[symbol] == Self.rfcCodes[symbol].code, "code of symbol \(symbol)")
            #expect(Int(HuffmanCodeTable.codeLengths[symbol]) == Self.rfcCodes[symbol].length, "length of symbol \(symbol)")
        }
    }

    /// Each symbol alone, its code padded with 1s to a whole octet, decodes to the symbol.
    @Test func everySymbolDecodesAlone() throws {
        for symbol in 0..<256 {
            let (code, length) = Self.rfcCodes[symbol]
            let padding = (8 - length % 8) % 8
            let value = UInt64(code) << UInt64(padding) | (1 << UInt64(padding) - 1)
            let octets = (length + padding) / 8
            let input = (0..<octets).map { UInt8(truncatingIfNeeded: value >> UInt64(8 * (octets - 1 - $0))) }
            #expect(try huffmanDecode(input) == [UInt8(symbol)], "symbol \(symbol)")
        }
    }

    @Test func allOctetsRoundTrip() throws {
        let all = (0..<256).map { UInt8($0) }
        var generator = SplitMix64(seed: 7541)
        for length in [0, 1, 2, 3, 7, 8, 63, 256, 1000] {
            let input = length == 256 ? all : (0..<length).map { _ in all.randomElement(using: &generator)! }
            let encoded = huffmanEncode(input)
            #expect(encoded.count == input.withUnsafeBytes { HuffmanEncoder.encodedLength($0) })
            #expect(try huffmanDecode(encoded) == input, "length \(length)")
        }
    }

    @Test func rfcStringExamples() throws {
        // RFC 7541 C.4.1 and C.6.1.
        #expect(huffmanEncode(Array("www.example.com".utf8)) == hex("f1e3 c2e5 f23a 6ba0 ab90 f4ff"))
        #expect(huffmanEncode(Array("Mon, 21 Oct 2013 20:13:21 GMT".utf8)) == hex("d07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff"))
        #expect(try huffmanDecode(hex("aec3 771a 4b")) == Array("private".utf8))
    }

    /// EOS inside a string, padding longer than 7 bits, and padding that is not all 1s.
    @Test func invalidCodesAreRefused() {
        // 30 one bits then two more: EOS, followed by anything.
        #expect(throws: HPACKError(.invalidHuffmanCode)) { try huffmanDecode([0xFF, 0xFF, 0xFF, 0xFF]) }
        // 'a' (00011) then 11 bits of 1s: padding longer than 7 bits.
        #expect(throws: HPACKError(.invalidHuffmanCode)) { try huffmanDecode([0b0001_1111, 0xFF]) }
        // A whole octet of 1s as padding after nothing.
        #expect(throws: HPACKError(.invalidHuffmanCode)) { try huffmanDecode([0xFF]) }
        // 'a' then 000 as padding: not the start of EOS.
        #expect(throws: HPACKError(.invalidHuffmanCode)) { try huffmanDecode([0b0001_1000]) }
        // 'a' then 111: valid.
        #expect((try? huffmanDecode([0b0001_1111])) == Array("a".utf8))
        // An empty string is valid.
        #expect((try? huffmanDecode([])) == [])
    }

    /// Every possible two-octet input either decodes to what the bit-by-bit reading of the RFC's
    /// table says, or fails exactly when that reading fails.
    @Test func stateMachineAgreesWithTheTableOnEveryTwoOctets() {
        for first in 0..<256 {
            for second in 0..<256 {
                let input = [UInt8(first), UInt8(second)]
                let expected = referenceDecode(input)
                let actual = try? huffmanDecode(input)
                if actual != expected {
                    Issue.record("\(hexString(input)): \(String(describing: actual)) but the table says \(String(describing: expected))")
                    return
                }
            }
        }
    }

    /// Decoding bit by bit with the RFC's codes: the definition the state machine must meet.
    private static let symbolsByCode: [Int: [UInt32: Int]] = {
        var lookup: [Int: [UInt32: Int]] = [:]
        for (symbol, entry) in rfcCodes.enumerated() { lookup[entry.length, default: [:]][entry.code] = symbol }
        return lookup
    }()

    private func referenceDecode(_ input: [UInt8]) -> [UInt8]? {
        let lookup = Self.symbolsByCode
        var output: [UInt8] = []
        var code: UInt32 = 0
        var length = 0
        for octet in input {
            for position in stride(from: 7, through: 0, by: -1) {
                code = code << 1 | UInt32(octet >> UInt8(position) & 1)
                length += 1
                if let symbol = lookup[length]?[code] {
                    if symbol == 256 { return nil }
                    output.append(UInt8(symbol))
                    code = 0
                    length = 0
                }
            }
        }
        // Leftover bits: at most 7, all 1s.
        guard length <= 7, code == (1 << UInt32(length)) - 1 else { return nil }
        return output
    }
}

func huffmanDecode(_ input: [UInt8]) throws(HPACKError) -> [UInt8] {
    var output = [UInt8](repeating: 0, count: HuffmanDecoder.maximumDecodedLength(input.count) + 1)
    let result = input.withUnsafeBytes { bytes in
        output.withUnsafeMutableBytes { out in
            Result { () throws(HPACKError) in try HuffmanDecoder.decode(bytes, into: out.baseAddress!) }
        }
    }
    return Array(output.prefix(try result.get()))
}

func huffmanEncode(_ input: [UInt8]) -> [UInt8] {
    input.withUnsafeBytes { bytes in
        var output = [UInt8](repeating: 0, count: HuffmanEncoder.encodedLength(bytes))
        let count = output.withUnsafeMutableBytes { HuffmanEncoder.encode(bytes, into: $0.baseAddress!) }
        precondition(count == output.count)
        return output
    }
}
