import HostctlCore
import HostctlHosting

/// The request body's size limit and minimum data rate, for every HTTP version; the
/// driver decodes the framing.
extension HTTPExchange: RequestBodyReader {
    func readAvailable(_ consume: (UnsafeRawBufferPointer) throws -> Int) throws -> RequestBodyAvailability {
        guard isActive, let context else { return .end }
        try checkUsable()
        if let error = body.error { throw error }
        if !body.started { try startReadingBody(context) }
        switch try driver.readRequestBody(into: context.request, consume) {
        case .bytes(let taken):
            body.delivered += taken
            if let limit = context.maxRequestBodySize, body.delivered > limit {
                throw fail(.requestBodyTooLarge(limit: limit))
            }
            return .bytes
        case .waiting:
            return .waiting
        case .end:
            return .end
        case .rejected(let rejection):
            throw fail(rejection)
        }
    }

    func waitForData() async throws {
        try checkUsable()
        if let error = body.error { throw error }
        driver.requestBodyWanted()
        body.waitStartedAt = loop.now
        await driver.wait(for: .body)
        body.stopWaiting(now: loop.now)
        try checkUsable()
        if let error = body.error { throw error }
    }

    /// A wait for body bytes in progress (`waitStartedAt` is set for its length) ends now;
    /// its caller looks again and finds whatever it also waits for.
    func cancelPendingRead() {
        guard isActive, body.waitStartedAt != nil else { return }
        driver.wakeExchange()
    }

    /// The first read: the size limit becomes fixed, and a declared length over it fails at once.
    private func startReadingBody(_ context: HTTPContext) throws {
        body.started = true
        body.receivedAtStart = driver.requestBodyBytesReceived
        context.isMaxRequestBodySizeReadOnly = true
        if let limit = context.maxRequestBodySize, let length = body.declaredLength, length > limit {
            throw fail(.requestBodyTooLarge(limit: limit))
        }
        driver.requestBodyReadingStarted()
    }

    /// Records a body failure: the read throws, and the server answers with its status.
    func fail(_ rejection: RequestRejection) -> BadRequestError {
        let error = BadRequestError(status: rejection.status, message: rejection.message)
        body.error = error
        return error
    }
}
