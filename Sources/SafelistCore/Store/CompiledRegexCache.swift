/// Where the engine keeps what it has compiled, so that a restart or another node reads a
/// database back instead of compiling it again: byte values under hexadecimal keys (digests of
/// what was compiled), in the same database as the policies. Entries not read for 30 days go.
public protocol CompiledRegexCache: Sendable {
    /// The values stored under `keys`, where present.
    func compiledRegexes(_ keys: [String]) async throws -> [String: [UInt8]]
    func storeCompiledRegexes(_ entries: [(key: String, value: [UInt8])]) async throws
}

extension CompiledRegexCache {
    /// How long an entry may go unread before it is dropped.
    public static var compiledRegexRetention: Duration { .seconds(30 * 86_400) }
}
