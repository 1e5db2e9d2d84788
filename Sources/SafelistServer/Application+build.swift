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
    let warmUp = EngineWarmUp(engine: engine, directory: opened.store, logger: logger)
    let router = buildRouter(
        policies: policies, audit: opened.store, credentials: opened.store, readiness: warmUp.readiness, options: configuration.http)
    let announce = configuration.announce
    let host = configuration.host
    let bootstrap = configuration.bootstrap
    var app = Application(
        router: router,
        server: .safelist(limits: configuration.http.connections),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Safelist"),
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? configuration.port
            let base = "http://\(Startup.reachableHost(host)):\(port)"
            // Minted once the port is bound: a port already taken fails the start before
            // anything is minted. Announced before the listening line, which scripts wait for.
            let tokenID = await Startup.bootstrap(bootstrap, store: opened.store, base: base, announce: announce, logger: logger)
            switch configuration.startLine {
            case .text:
                announce(
                    "Safelist listening on http://\(Startup.urlHost(host)):\(port) (version \(SafelistVersion.current), database \(opened.description))"
                )
            case .json:
                announce(StartLineJSON(url: base + "/client/v4", port: port, tokenID: tokenID, database: opened.description).text)
            }
        },
        logger: logger
    )
    if let postgres = opened.postgres { app.addServices(postgres) }
    app.addServices(EngineFollower(engine: engine), warmUp)
    if let retention = configuration.auditRetention {
        let postgres = opened.postgres
        app.addServices(
            AuditPruner(log: opened.store, retention: retention, logger: logger) {
                try await postgres?.waitUntilReady(retrying: true)
            })
    }
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
    let seeds = configuration.seeds
    app.beforeServerStarts {
        if let postgres = opened.postgres {
            do {
                try await cancelWhenGracefulShutdown { try await Startup.wait(for: postgres, announce: announce) }
            } catch is CancellationError {
                throw StoppedBeforeStart()
            }
        }
        try await Seeding.load(seeds, store: opened.store, compileCheck: compileCheck, announce: announce)
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

    /// Mints the first token of a database without credentials, and says where its secret is.
    /// The id of the token the operator now holds: the one minted, or the one `--bootstrap-token`
    /// names when it exists already; nil otherwise.
    @discardableResult
    static func bootstrap(
        _ bootstrap: BootstrapToken, store: any CredentialStore, base: String, announce: @Sendable (String) -> Void, logger: Logger
    ) async -> String? {
        let minted: (token: APIToken, secret: String)?
        do {
            minted = try await CredentialIssuer(store: store).bootstrapIfEmpty(secret: bootstrap.secret)
        } catch {
            logger.error("could not create the bootstrap token", metadata: ["error": "\(error)"])
            return nil
        }
        guard let (token, secret) = minted else {
            if let secret = bootstrap.secret,
                case .token(let token)? = try? await Authenticator(store: store).authenticate(
                    authorization: "Bearer \(secret)", authEmail: nil, authKey: nil)
            {
                return token.id
            }
            if bootstrap.secret != nil || bootstrap.file != nil {
                announce(
                    "Credentials exist already: no bootstrap token was created (--bootstrap-token and --bootstrap-token-file apply to a database without credentials)"
                )
            }
            return nil
        }
        let use = "curl -H \"Authorization: Bearer $TOKEN\" \(base)/client/v4/user/tokens/verify"
        if bootstrap.secret != nil {
            announce("Created the bootstrap token given by --bootstrap-token (id \(token.id)), with Write on all accounts. Use it:\n  \(use)")
            return token.id
        }
        if let file = bootstrap.file {
            do {
                try SecretFile.write(secret + "\n", to: file)
                announce(
                    "Created a bootstrap token with Write on all accounts (id \(token.id)); its secret is in \(file) (mode 0600). Use it:\n  TOKEN=$(cat \(file)); \(use)"
                )
                return token.id
            } catch {
                logger.error("could not write the bootstrap token to \(file); printing it instead", metadata: ["error": "\(error)"])
            }
        }
        announce(
            """
            No credentials existed, so Safelist created an API token with Write on all accounts.
            It is shown only now; Safelist keeps only its hash:
              \(secret)
            Use it:
              curl -H "Authorization: Bearer \(secret)" \(base)/client/v4/accounts/<account_id>/email-security/settings/allow_policies
            """)
        return token.id
    }

    /// A host to connect to for a server listening on `host`: the loopback address for the
    /// wildcard ones, brackets around an IPv6 literal.
    static func reachableHost(_ host: String) -> String {
        switch host {
        case "0.0.0.0", "": "127.0.0.1"
        case "::", "[::]": "[::1]"
        default: urlHost(host)
        }
    }

    static func urlHost(_ host: String) -> String {
        host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
    }
}
