import PostgresNIO
import SafelistCore
import SafelistSQL

extension PostgresStore: PolicyChangeFeed {
    public func generations(of accounts: [AccountID]) async throws -> [AccountID: Int64] {
        guard !accounts.isEmpty else { return [:] }
        let logger = logger
        return try await withConnection { connection in
            var result: [AccountID: Int64] = [:]
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(accounts.map(\.rawValue))
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: ChangeFeedSQL.generations(.postgres), binds: bindings), logger: logger)
            for try await (account, generation) in rows.decode((String, Int64).self) {
                if let id = AccountID(account) { result[id] = generation }
            }
            return result
        }
    }

    public func changes(account: AccountID, after generation: Int64) async throws -> PolicyChanges {
        let logger = logger
        return try await transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") { connection in
            let current = try await Self.generation(connection, account: account, logger: logger)
            var ids: [PolicyID] = []
            let rows = try await connection.query(
                PostgresQuery(ChangeFeedSQL.changedSince(.postgres), [.text(account.rawValue), .integer(generation)]), logger: logger)
            for try await text in rows.decode(String.self) {
                if let id = PolicyID(text) { ids.append(id) }
            }
            let present = try await Self.fetch(connection, account: account, ids: ids, logger: logger)
            return PolicyChanges(
                generation: current,
                upserted: ids.compactMap { present[$0] },
                deleted: ids.filter { present[$0] == nil })
        }
    }

    public func changeSignals() -> AsyncStream<ChangeSignal> {
        hub.subscribe()
    }

    /// Listens on one dedicated connection for other nodes' commits. After any gap — the first
    /// connection, a lost one — it signals `.everything`, because NOTIFYs sent meanwhile are gone.
    func followOtherNodes() async {
        var announced = false
        while !Task.isCancelled {
            do {
                var configuration = try location.connectionConfiguration()
                configuration.options.additionalStartupParameters = [("application_name", "safelist-listener")]
                let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
                defer { Task { try? await connection.close() } }
                announced = false
                try await connection.listen(on: Self.changeChannel) { notifications in
                    stamps.listening()
                    defer { stamps.deaf() }
                    hub.publish(.everything)
                    for try await notification in notifications {
                        if notification.payload == Self.credentialsChanged {
                            stamps.credentialsChanged()
                        } else if let signal = Self.signal(notification.payload) {
                            stamps.changed(signal)
                            hub.publish(signal)
                        }
                    }
                }
            } catch {
                if !announced, !Task.isCancelled {
                    logger.warning("change listener lost PostgreSQL at \(location): \(Self.reason(error)); reconnecting")
                    announced = true
                }
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }

    /// The payload a credential's revocation or deletion notifies with.
    static let credentialsChanged = "credentials"

    static func signal(_ payload: String) -> ChangeSignal? {
        let parts = payload.split(separator: ":")
        guard parts.count == 2, let account = AccountID(parts[0]), let generation = Int64(parts[1]) else { return nil }
        return .account(account, generation: generation)
    }
}
