import Synchronization

/// Values read from the store, each kept with the version of the store it was read at (a
/// `ChangeStamp`, and whatever else says "nothing changed"): an entry answers only while the
/// version asked with is the one it was read at, and is dropped otherwise. Past `capacity`
/// entries the cache starts again empty: a bound on memory whatever the number of keys, at the
/// price of one read each after a reset. What `Authenticator` and `PolicyReadCache` keep.
final class StampedCache<Key: Hashable & Sendable, Value: Sendable, Version: Equatable & Sendable>: Sendable {
    private struct Entry {
        let value: Value
        let version: Version
    }

    private let capacity: Int
    private let entries = Mutex<[Key: Entry]>([:])

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    func value(for key: Key, at version: Version) -> Value? {
        entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard entry.version == version else {
                entries[key] = nil
                return nil
            }
            return entry.value
        }
    }

    func remember(_ value: Value, for key: Key, at version: Version) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(value: value, version: version)
        }
    }
}
