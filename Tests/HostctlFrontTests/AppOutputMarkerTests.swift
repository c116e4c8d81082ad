import HostctlFront
import Testing

@Suite struct AppOutputMarkerTests {
    /// Fed in two pieces split at every offset, the output is the same: a prefix before
    /// each line, and nothing held back.
    @Test func everyLineIsMarkedWhereverTheChunksSplit() {
        let input = Array("Hosting environment: Development\n\nhalf a line".utf8)
        let expected = Array("Shop | Hosting environment: Development\nShop | \nShop | half a line".utf8)
        for split in 0...input.count {
            var marker = AppOutputMarker(prefix: "Shop | ")
            let marked = marker.mark(input[..<split], from: .standardOutput) + marker.mark(input[split...], from: .standardOutput)
            #expect(marked == expected, "split at \(split)")
        }
    }

    @Test func stdoutAndStderrKeepTheirOwnLines() {
        var marker = AppOutputMarker(prefix: "> ")
        #expect(marker.mark(Array("out".utf8), from: .standardOutput) == Array("> out".utf8))
        #expect(marker.mark(Array("err\n".utf8), from: .standardError) == Array("> err\n".utf8))
        #expect(marker.mark(Array(" more\n".utf8), from: .standardOutput) == Array(" more\n".utf8), "the line continues unmarked")
        #expect(marker.mark([], from: .standardOutput) == [])
    }
}
