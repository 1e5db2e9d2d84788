import Synchronization

/// Credentials already proven, by the hash of their secret, each with the store's credentials
/// stamp from before it was read: an entry answers only while the stamp is unchanged, so a
/// revocation or a deletion (on any node, by the CLI or the API) takes effect on the next
/// request. Expiry is checked on every use. Failures are never kept: a wrong secret always asks
/// the store, as before.
final class CredentialCache: Sendable {
    /// Past this many entries the cache starts again empty: a bound on memory whatever the
    /// number of credentials, at the price of one database read each after a reset.
    static let capacity = 10_000

    private struct Entry {
        let principal: Principal
        let stamp: ChangeStamp
    }

    private let entries = Mutex<[[UInt8]: Entry]>([:])

    func principal(for hash: [UInt8], stamp: ChangeStamp) -> Principal? {
        entries.withLock { entries in
            guard let entry = entries[hash] else { return nil }
            guard entry.stamp == stamp else {
                entries[hash] = nil
                return nil
            }
            return entry.principal
        }
    }

    func remember(_ principal: Principal, for hash: [UInt8], stamp: ChangeStamp) {
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[hash] = Entry(principal: principal, stamp: stamp)
        }
    }
}
