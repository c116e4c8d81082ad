import HostctlCore
import HostctlTestSupport
@testable import HostctlHPACK
import Testing

/// Bytes from hex as RFC 7541 prints them ("8286 8441 0f77"); spaces and line breaks ignored.
func hex(_ text: String) -> [UInt8] {
    let digits = text.filter { $0.isHexDigit }
    precondition(digits.count % 2 == 0, "odd number of hex digits")
    var bytes: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        bytes.append(UInt8(digits[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

func hexString(_ bytes: [UInt8]) -> String {
    bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}

/// Decodes one block into a fresh list; the fields as "name: value" lines, or the error's reason.
func decode(_ block: [UInt8], with decoder: HPACKDecoder, limits: HPACKDecoder.Limits = HPACKDecoder.Limits()) -> Result<[String], HPACKError> {
    let list = HPACKHeaderList()
    return block.withUnsafeBytes { bytes in
        Result { () throws(HPACKError) in
            try decoder.decode(bytes, into: list, limits: limits)
            return list.strings.map { "\($0.name): \($0.value)" }
        }
    }
}

func decodeFailure(_ block: [UInt8], with decoder: HPACKDecoder = HPACKDecoder(), limits: HPACKDecoder.Limits = HPACKDecoder.Limits()) -> HPACKError.Reason? {
    if case .failure(let error) = decode(block, with: decoder, limits: limits) { return error.reason }
    return nil
}


