import Synchronization

/// A token bucket per principal: `limit` requests per `window`, refilled continuously, so a
/// client that keeps to the average is never refused and a burst is capped at `limit`.
/// Cloudflare's own limit is 1,200 requests per five minutes per user.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    let limit: Int
    let window: Duration
    private let buckets = Mutex<[String: Bucket]>([:])

    init(limit: Int, window: Duration = .seconds(300)) {
        self.limit = limit
        self.window = window
    }

    /// Nil when the request may go ahead; otherwise the whole seconds until one token is back.
    func acquire(_ key: String, now: ContinuousClock.Instant = .now) -> Int? {
        let perSecond = Double(limit) / seconds(window)
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: Double(limit), updated: now)
            bucket.tokens = min(Double(limit), bucket.tokens + seconds(now - bucket.updated) * perSecond)
            bucket.updated = now
            defer { buckets[key] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return max(1, Int(((1 - bucket.tokens) / perSecond).rounded(.up)))
        }
    }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
