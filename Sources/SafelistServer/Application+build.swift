import Hummingbird
import Logging
import SafelistAPI
import SafelistCore
import SafelistEngine
import SafelistMail
import SafelistPostgres
import SafelistRegex
import ServiceLifecycle

/// The composition root: the store, the engine, the router and the services, wired once, as
/// `safelist serve` runs them and the tests exercise them. The store starts first and stops
/// last (a `ServiceGroup` stops in reverse order), so shutdown drains the HTTP server before
/// the database pool closes. Before the port opens, the store must be ready (at once for
/// SQLite; for PostgreSQL once it is reachable and migrated, saying why it waits meanwhile),
/// and a database without credentials gets its first token.
public func buildApplication(configuration: ServerConfiguration, logger: Logger) throws -> some ApplicationProtocol {
    let opened = try configuration.store.open(logger: logger)
    let engine = PolicyEngine(feed: opened.store, options: configuration.engine, cache: opened.store)
    let workers = configuration.regexWorkers ?? RegexWorkers.locate().map { RegexWorkers(executable: $0) }
    let compileCheck: any RegexCompileCheck = workers.map(WorkerRegexCompileCheck.init) ?? InProcessRegexCompileCheck()
    if workers == nil {
        logger.warning(
            "safelist-regex-worker not found beside the executable (or SAFELIST_REGEX_WORKER): regexes are compiled in the server, without a memory budget"
        )
    }
    var checked: any PolicyStore = RegexCheckedStore(store: opened.store, compileCheck: compileCheck)
    if let stamps = opened.store as? any ChangeStamps { checked = PolicyReadCache(store: checked, stamps: stamps) }
    let policies = EngineAppliedStore(store: checked, engine: engine)
    let warmUp = EngineWarmUp(engine: engine, directory: opened.store as? any AccountDirectory, logger: logger)
    let router = buildRouter(policies: policies, credentials: opened.store, readiness: warmUp.readiness, options: configuration.http)
    let announce = configuration.announce
    let host = configuration.host
    var app = Application(
        router: router,
        server: .safelist(limits: configuration.http.connections),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Safelist"),
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? configuration.port
            announce("Safelist listening on http://\(host):\(port) (version \(SafelistVersion.current), database \(opened.description))")
        },
        logger: logger
    )
    if let postgres = opened.postgres { app.addServices(postgres) }
    app.addServices(EngineFollower(engine: engine), warmUp)
    if let mail = configuration.mail {
        let decisions = MailDecisions(engine: engine, options: mail.options)
        if let address = mail.postfixPolicy {
            app.addServices(
                PostfixPolicyService.listener(host: address.host, port: address.port, decisions: decisions, logger: logger) { port in
                    announce("Postfix policy service listening on \(ListenAddress(host: address.host, port: port))")
                })
        }
        if let address = mail.milter {
            app.addServices(
                MilterService.listener(host: address.host, port: address.port, decisions: decisions, logger: logger) { port in
                    announce("Milter listening on \(ListenAddress(host: address.host, port: port))")
                })
        }
    }
    if configuration.regexWorkers == nil, let workers { app.addServices(RegexWorkersStopper(workers: workers)) }
    app.beforeServerStarts {
        if let postgres = opened.postgres {
            do {
                try await cancelWhenGracefulShutdown { try await Startup.wait(for: postgres, announce: announce) }
            } catch is CancellationError {
                throw StoppedBeforeStart()
            }
        }
        if let secret = try await CredentialIssuer(store: opened.store).bootstrapIfEmpty() {
            announce(Startup.bootstrapAnnouncement(secret: secret, host: host, port: configuration.port))
        }
    }
    return app
}

/// Thrown when a graceful shutdown arrives while start-up still waits for the store: the
/// server never opened its port, and `safelist serve` exits cleanly.
public struct StoppedBeforeStart: Error {}

/// What start-up does before the port opens.
enum Startup {
    static func wait(for postgres: PostgresStore, announce: @Sendable (String) -> Void) async throws {
        var announced: String?
        while true {
            do {
                try await postgres.waitUntilReady(retrying: true, timeout: .seconds(1))
                break
            } catch let error as PostgresUnavailable {
                if announced != error.reason {
                    announce("Waiting for PostgreSQL at \(postgres.location): \(error.reason)")
                    announced = error.reason
                }
            }
        }
        if announced != nil { announce("Connected to PostgreSQL at \(postgres.location)") }
    }

    static func bootstrapAnnouncement(secret: String, host: String, port: Int) -> String {
        """
        No credentials existed, so Safelist created an API token with Write on all accounts.
        It is shown only now; Safelist keeps only its hash:
          \(secret)
        Use it:
          curl -H "Authorization: Bearer \(secret)" http://\(host):\(port)/client/v4/accounts/<account_id>/email-security/settings/allow_policies
        """
    }
}
