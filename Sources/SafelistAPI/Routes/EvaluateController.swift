import Hummingbird
import SafelistCore
import SafelistEngine
import SafelistWire

/// `POST …/allow_policies/evaluate`: what the account's policies decide for one message or a
/// batch. Read permission, since it changes nothing.
struct EvaluateController: Sendable {
    let engine: PolicyEngine
    let body: RequestBody
    let reading: EvaluationRequest.Context

    var route: (route: RouteTable.Route, handler: PolicyController.Handler) {
        (.init(method: .post, path: "evaluate"), evaluate)
    }

    @Sendable func evaluate(_ request: Request, context: SafelistRequestContext) async throws -> Response {
        let account = try context.account(for: .read, path: request.uri.path)
        let parsed = try await body.bytes(request).withUnsafeReadableBytes { bytes throws(SafelistError) in
            try EvaluationRequest.parse(bytes, context: reading)
        }
        let messages = parsed.messages
        var evaluations = try await engine.evaluate(account: account, messages: messages).makeIterator()
        var results: [EvaluationItemJSON] = []
        var prepared = messages.makeIterator()
        for item in parsed.items {
            switch item {
            case .message:
                guard let evaluation = evaluations.next(), let message = prepared.next() else { continue }
                results.append(.evaluation(EvaluationJSON(evaluation: evaluation, message: message.message)))
            case .invalid(let errors):
                results.append(.invalid(errors))
            }
        }
        if parsed.isBatch { return EnvelopeResponse.success(results, messages: parsed.notes) }
        // A body without `messages` is one valid message, or was refused whole.
        guard case .evaluation(let single)? = results.first else {
            throw SafelistError.internalError("The message was parsed to nothing")
        }
        return EnvelopeResponse.success(single, messages: parsed.notes)
    }
}
