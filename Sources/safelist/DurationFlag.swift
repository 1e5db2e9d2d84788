import ArgumentParser

/// A flag given in seconds, as a duration: refused unless positive and finite.
enum DurationFlag {
    static func value(_ seconds: Double, _ flag: String) throws -> Duration {
        guard seconds > 0, seconds.isFinite else { throw ValidationError("\(flag) must be a positive number of seconds") }
        return .milliseconds(Int64(seconds * 1000))
    }
}
