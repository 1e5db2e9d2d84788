import NIOCore
import Synchronization

/// Every open HTTP connection and what it is doing, so that the connection limit can be kept
/// by closing the connection that matters least rather than by refusing new ones: a client
/// that holds a thousand idle or half-sent requests must not lock out one that sends a whole
/// request.
final class ConnectionRegistry: Sendable {
    enum Phase: Int, Comparable {
        /// Between requests: nothing owed to anyone.
        case idle
        /// A request's head is arriving.
        case head
        /// A request's body is arriving.
        case body
        /// A request is being answered: never pushed out.
        case handling

        static func < (lhs: Phase, rhs: Phase) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    private struct Entry {
        let channel: any Channel
        var phase: Phase
        var since: NIODeadline
    }

    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    var count: Int { entries.withLock { $0.count } }

    /// Registers a new connection; returns the one to close when that goes over the limit:
    /// the longest idle, else the longest sending a head, else the longest sending a body. When
    /// every other connection is answering a request, it is the new one.
    func opened(_ channel: any Channel) -> (any Channel)? {
        entries.withLock { entries in
            entries[ObjectIdentifier(channel)] = Entry(channel: channel, phase: .idle, since: .now())
            guard entries.count > limit else { return nil }
            let victim = entries.filter { $0.key != ObjectIdentifier(channel) && $0.value.phase != .handling }
                .min { ($0.value.phase, $0.value.since) < ($1.value.phase, $1.value.since) }
            guard let victim else { return channel }
            entries[victim.key] = nil
            return victim.value.channel
        }
    }

    func update(_ channel: any Channel, to phase: Phase, at now: NIODeadline = .now()) {
        entries.withLock { entries in
            guard let index = entries.index(forKey: ObjectIdentifier(channel)) else { return }
            entries.values[index].phase = phase
            entries.values[index].since = now
        }
    }

    func closed(_ channel: any Channel) {
        _ = entries.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }
}
