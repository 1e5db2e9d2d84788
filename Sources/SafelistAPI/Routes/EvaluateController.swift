import Hummingbird
import SafelistCore
import SafelistEngine
import SafelistWire

/// `POST …/allow_policies/evaluate`: what the account's policies decide for one message or a
/// batch. Read permission, since it changes nothing.
struct EvaluateController: Sendable {
    let engine: PolicyEngine
    let body: RequestBody

    var route: (route: RouteTable.Route, handler: PolicyController.Handler) {
        (.init(method: .post, path: "evaluate"), evaluate)
    }

    @Sendable func evaluate(_ request: Request, context: SafelistRequestContext) async throws -> Response {
        let account = try context.account(for: .read, path: request.uri.path)
        let parsed = try EvaluationRequest.parse(await body.json(request))
        let evaluations = try await engine.evaluate(account: account, messages: parsed.messages)
        let results = zip(evaluations, parsed.messages).map { EvaluationJSON(evaluation: $0, message: $1.message) }
        if parsed.isBatch { return try EnvelopeResponse.success(results) }
        // A body without `messages` parses to exactly one message.
        guard let single = results.first else {
            throw SafelistError.internalError("The message was parsed to nothing")
        }
        return try EnvelopeResponse.success(single)
    }
}
