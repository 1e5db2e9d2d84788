import Hummingbird
import SafelistCore

/// Cloudflare's 429/971 with `Retry-After`, per credential. Runs after authentication, so an
/// unauthenticated flood never reaches a bucket (it is refused before any work is done anyway).
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = SafelistRequestContext
    let limiter: RateLimiter

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if let principal = context.principal, let retryAfter = limiter.acquire(principal.label) {
            throw HTTPRefusal.rateLimited(retryAfter: retryAfter)
        }
        return try await next(request, context)
    }
}
