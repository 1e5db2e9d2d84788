import Hummingbird
import SafelistCore

/// Gives each request its regex compile budget (`RegexBudget`): the clock starts when the
/// request does, and a request whose client has gone stops compiling.
struct RegexBudgetMiddleware: RouterMiddleware {
    typealias Context = SafelistRequestContext
    let perPattern: Duration
    let perRequest: Duration

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let budget = RegexBudget(perPattern: perPattern, perRequest: perRequest, isAbandoned: context.isAbandoned)
        return try await RegexBudget.$current.withValue(budget) { try await next(request, context) }
    }
}
