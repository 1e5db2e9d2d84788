import PostgresNIO

extension PostgresLocation {
    /// What to do about a failure to reach or use the database here, when the failure says
    /// enough to tell: the reason alone names the symptom, this names the fix.
    func advice(for error: any Error, reason: String) -> String? {
        let endpoint = self.endpoint
        if let error = error as? PSQLError {
            switch error.serverInfo?[.sqlState] {
            case "28P01":
                return "check the user and password in the --database URL"
            case "28000":
                return "no pg_hba.conf line lets \(username) connect to \(database) from this host; add one, or connect as another user"
            case "3D000":
                return "create it (createdb -h \(host) -p \(port) -U \(username) \(database)) or name an existing database in the URL"
            case "42501":
                return
                    "\(username) may not create Safelist's tables; grant it CREATE on the database (GRANT CREATE ON DATABASE \(database) TO \(username)) or make it the database's owner"
            case "53300":
                return "the server has no free connection; raise max_connections or lower --database-pool-size on each node"
            case "57P03":
                return "the server is still starting or recovering; Safelist keeps retrying"
            default:
                break
            }
            if error.code == .sslUnsupported {
                return "the server does not offer TLS; enable ssl on the server, or use ?sslmode=prefer or ?sslmode=disable on a trusted network"
            }
        }
        if reason.contains("Connection refused") {
            return "nothing listens at \(endpoint); check that PostgreSQL runs, and its listen_addresses and port"
        }
        if reason.contains("UnknownHost") || reason.contains("Name or service not known") {
            return "the host name \(host) does not resolve; check it in the --database URL"
        }
        if reason.contains("No such file or directory"), host.hasPrefix("/") {
            return "no server socket at \(host)/.s.PGSQL.\(port); check unix_socket_directories and the port"
        }
        if reason.contains("no answer") || reason.contains("timed out") || reason.contains("Timeout") {
            return "\(endpoint) did not answer; check the address, a firewall in between, and --database-timeout"
        }
        return nil
    }

    /// The reason for a failure, with what to do about it when known.
    func explain(_ error: any Error) -> String {
        let reason = PostgresStore.reason(error)
        guard let advice = advice(for: error, reason: reason) else { return reason }
        return reason + "; " + advice
    }
}
