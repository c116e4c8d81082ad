import Glibc
import HostctlCore
import HostctlHosting
@testable import HostctlServerCore
import Testing

/// How a file response leaves: a small file behind its head in one send (two sends would
/// be two TCP segments, the second held back by the kernel's pacing), a large one by
/// sendfile without passing through user space.
@Suite struct FileResponseTests {
    /// Letters, so the response reads back as text.
    static func content(_ size: Int) -> [UInt8] { (0..<size).map { UInt8(ascii: "a") + UInt8($0 % 26) } }

    /// A file of `size` bytes in /tmp, open for reading, unlinked at once.
    static func file(size: Int) throws -> Int32 {
        var template = Array("/tmp/hostctl-file-response-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        try #require(descriptor >= 0)
        _ = template.withUnsafeBufferPointer { unlink($0.baseAddress!) }
        let bytes = Self.content(size)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, size) }
        try #require(written == size)
        return descriptor
    }

    static func serve(size: Int, sendsFiles: Bool = true) throws -> (transport: MemoryTransport, response: String, expectedBody: [UInt8]) {
        let descriptor = try file(size: size)
        defer { close(descriptor) }
        let harness = Harness { context in
            context.response.contentLength = size
            try await context.response.sendFile(descriptor, offset: 0, count: Int64(size))
        }
        defer { harness.finish() }
        harness.transport.sendsFiles = sendsFiles
        harness.feed("GET /file HTTP/1.1\r\nHost: a\r\n\r\n")
        let expected = Self.content(size)
        return (harness.transport, harness.transport.takeSent(), expected)
    }

    @Test(arguments: [1, 4096, 16 * 1024])
    func aSmallFileLeavesWithItsHeadInOneSend(size: Int) throws {
        let (transport, response, expected) = try Self.serve(size: size)
        #expect(response.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(response.headerValues("Content-Length") == ["\(size)"])
        #expect(Array(response.responseBody.utf8) == expected, "the body is the file")
        #expect(transport.filesSent.isEmpty, "copied, not sent by sendfile")
        #expect(transport.sendSizes.count == 1, "head and body in one send: \(transport.sendSizes)")
        #expect(transport.filePreparations.isEmpty)
    }

    @Test(arguments: [16 * 1024 + 1, 200_000])
    func aLargerFileGoesBySendfile(size: Int) throws {
        let (transport, response, expected) = try Self.serve(size: size)
        #expect(response.headerValues("Content-Length") == ["\(size)"])
        #expect(Array(response.responseBody.utf8) == expected, "the body is the file")
        #expect(transport.filesSent.count == 1 && transport.filesSent.first?.count == size)
        // Told before the head goes, so a socket holds the head back (MSG_MORE) and it leaves
        // with the file's first bytes rather than as a small segment the pacing then waits on.
        #expect(transport.filePreparations == [0], "prepared before the head's send")
        #expect(transport.sendSizes.count == 2, "the head, then the file: \(transport.sendSizes)")
    }

    /// Through TLS (no sendfile) a large file is read into the output a chunk at a time.
    @Test func withoutSendfileALargeFileIsReadIntoTheOutput() throws {
        let size = 200_000
        let (transport, response, expected) = try Self.serve(size: size, sendsFiles: false)
        #expect(response.headerValues("Content-Length") == ["\(size)"])
        #expect(Array(response.responseBody.utf8) == expected, "the body is the file")
        #expect(transport.filesSent.isEmpty)
    }

    /// Without a declared length the bytes wait to be measured: an exact Content-Length.
    @Test func aSmallFileOfUndeclaredLengthGetsAnExactLength() throws {
        let descriptor = try Self.file(size: 3000)
        defer { close(descriptor) }
        let harness = Harness { context in
            try await context.response.sendFile(descriptor, offset: 10, count: 2000)
        }
        defer { harness.finish() }
        harness.feed("GET /file HTTP/1.1\r\nHost: a\r\n\r\n")
        let response = harness.transport.takeSent()
        #expect(response.headerValues("Content-Length") == ["2000"])
        #expect(response.headerValues("Transfer-Encoding").isEmpty)
        #expect(Array(response.responseBody.utf8) == Array(Self.content(3000)[10..<2010]))
    }

    /// After the head went out chunked, a file region is one chunk, framed around the bytes
    /// read into the output.
    @Test func aFileAfterAChunkedHeadIsOneChunk() throws {
        let descriptor = try Self.file(size: 100)
        defer { close(descriptor) }
        let harness = Harness { context in
            try await context.response.write("start:")
            try await context.response.flush()
            try await context.response.sendFile(descriptor, offset: 0, count: 100)
        }
        defer { harness.finish() }
        harness.feed("GET /file HTTP/1.1\r\nHost: a\r\n\r\n")
        let response = harness.transport.takeSent()
        #expect(response.headerValues("Transfer-Encoding") == ["chunked"])
        let body = String(decoding: Self.content(100), as: UTF8.self)
        #expect(response.hasSuffix("\r\n\r\n6\r\nstart:\r\n64\r\n\(body)\r\n0\r\n\r\n"), "\(response)")
    }

    /// A region past the end of the file: the response cannot be finished, so the
    /// connection ends after the head rather than claim a body it does not have.
    @Test func aRegionPastTheEndEndsTheConnection() throws {
        let descriptor = try Self.file(size: 100)
        defer { close(descriptor) }
        let harness = Harness { context in
            context.response.contentLength = 200
            try await context.response.sendFile(descriptor, offset: 0, count: 200)
        }
        defer { harness.finish() }
        harness.feed("GET /file HTTP/1.1\r\nHost: a\r\n\r\n")
        let response = harness.transport.takeSent()
        #expect(harness.transport.closed, "the connection ends")
        #expect(response.utf8.count < 200, "never 200 bytes of body: \(response.utf8.count) bytes sent")
    }
}
