import Testing

@testable import SafelistAPI

@Suite("Token bucket arithmetic")
struct RateLimiterTests {
    @Test func burstThenRefill() {
        let limiter = RateLimiter(limit: 10, window: .seconds(10))
        let start = ContinuousClock.now
        for _ in 0..<10 { #expect(limiter.acquire("a", now: start) == nil) }
        #expect(limiter.acquire("a", now: start) == 1)
        #expect(limiter.acquire("b", now: start) == nil, "buckets are per key")
        #expect(limiter.acquire("a", now: start + .milliseconds(1100)) == nil, "one token back after a second")
        #expect(limiter.acquire("a", now: start + .milliseconds(1100)) != nil)
        for _ in 0..<10 { #expect(limiter.acquire("a", now: start + .seconds(60)) == nil) }
        #expect(limiter.acquire("a", now: start + .seconds(60)) != nil, "the bucket never holds more than the limit")
    }
}
