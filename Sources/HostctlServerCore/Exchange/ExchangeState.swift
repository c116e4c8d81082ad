import HostctlHosting

/// Writing the current response: what the commit rules need to remember.
struct ResponseState {
    var committed = false
    var completed = false
    /// The status allows no body (1xx, 204, 304).
    var noBody = false
    var isHead = false
    var declaredLength: Int?
    var written = 0
}

/// Reading the current request's body, in the terms every version shares (the framing's
/// own state is the driver's).
struct RequestBodyState {
    /// The length the request declared, when it did.
    var declaredLength: Int?
    var started = false
    var delivered = 0
    var error: BadRequestError?
    /// Min-rate accounting: time the app spent waiting for body bytes, and the driver's
    /// count of body bytes received when it started reading.
    var waitedNanoseconds: Int64 = 0
    var waitStartedAt: Int64?
    var receivedAtStart = 0
}
