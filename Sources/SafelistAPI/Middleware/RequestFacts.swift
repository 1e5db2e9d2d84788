import Synchronization

/// What the middlewares inside the request log learn about a request, for its log line: the
/// context is passed down by value, so the auth middleware's principal and the error
/// middleware's code would not reach the log middleware, which runs outside them both.
final class RequestFacts: Sendable {
    private struct Facts {
        var principal: String?
        var errorCode: Int?
    }

    private let facts = Mutex(Facts())

    var principal: String? {
        get { facts.withLock { $0.principal } }
        set { facts.withLock { $0.principal = newValue } }
    }

    var errorCode: Int? {
        get { facts.withLock { $0.errorCode } }
        set { facts.withLock { $0.errorCode = newValue } }
    }
}
