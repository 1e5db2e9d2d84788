import ArgumentParser
import Foundation
import SafelistCore

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Create, list and revoke API tokens.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API token and print its secret once.")

        @OptionGroup var store: StoreOptions
        @Option(help: "A name to recognise the token by.") var name = "cli"
        @Option(help: "read or write (write implies read).") var permission: String
        @OptionGroup var accounts: AccountOptions
        @Option(help: "Expiry time, RFC 3339 (2030-01-01T00:00:00Z).") var expiresAt: String?
        @Option(help: "Expiry from now: a number and s, m, h or d (30d).") var expiresIn: String?

        func run() async throws {
            guard let permission = Permission(rawValue: permission) else {
                throw ValidationError("--permission must be read or write")
            }
            let expiry = try Expiry.parse(at: expiresAt, in: expiresIn)
            let (name, scope) = (name, try accounts.scope())
            let (token, secret) = try await store.withStore { database in
                try await CredentialIssuer(store: database).issueToken(name: name, permission: permission, scope: scope, expiresAt: expiry)
            }
            print(
                """
                id: \(token.id)
                name: \(token.name)
                permission: \(token.permission.rawValue)
                accounts: \(token.scope.display)
                expires: \(token.expiresAt?.rfc3339 ?? "never")
                secret: \(secret)
                The secret is shown only now; Safelist keeps only its hash.
                Use it: export CLOUDFLARE_API_TOKEN=\(secret)
                """)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List API tokens (never their secrets).")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let now = Timestamp.now()
            let rows = try await store.withStore { try await $0.tokens() }.map { token in
                let status = token.revokedAt != nil ? "revoked" : token.isActive(at: now) ? "active" : "expired"
                return [
                    token.id, token.name, token.permission.rawValue, token.scope.display,
                    token.createdAt.rfc3339, token.expiresAt?.rfc3339 ?? "never", status,
                ]
            }
            printTable(header: ["ID", "NAME", "PERMISSION", "ACCOUNTS", "CREATED", "EXPIRES", "STATUS"], rows: rows)
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API token; it stops working at once.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The token id (from `safelist token list`).") var id: String

        func run() async throws {
            let id = id
            guard try await store.withStore({ try await $0.revokeToken(id: id, at: .now()) }) else {
                throw ValidationError("no token has id \(id)")
            }
            print("revoked \(id)")
        }
    }
}

/// `--account ID` (repeatable) or `--all-accounts`: exactly one of them.
struct AccountOptions: ParsableArguments {
    @Option(name: .customLong("account"), help: "An account id (32 hex characters); repeat for several.")
    var accounts: [String] = []
    @Flag(help: "Every account, present and future.") var allAccounts = false

    func scope() throws -> AccountScope {
        if allAccounts {
            guard accounts.isEmpty else { throw ValidationError("give --account or --all-accounts, not both") }
            return .all
        }
        guard !accounts.isEmpty else { throw ValidationError("give at least one --account, or --all-accounts") }
        return .accounts(
            try accounts.map { text in
                guard let id = AccountID(text) else {
                    throw ValidationError("'\(text)' is not an account id (32 lowercase hexadecimal characters)")
                }
                return id
            })
    }
}

enum Expiry {
    static func parse(at: String?, in duration: String?) throws -> Timestamp? {
        switch (at, duration) {
        case (nil, nil): return nil
        case (_?, _?): throw ValidationError("give --expires-at or --expires-in, not both")
        case (let text?, nil):
            guard let time = Timestamp(rfc3339: text) else { throw ValidationError("--expires-at must be RFC 3339, like 2030-01-01T00:00:00Z") }
            return time
        case (nil, let text?):
            let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
            guard let unit = text.last.flatMap({ units[$0] }), let count = Int64(text.dropLast()), count > 0 else {
                throw ValidationError("--expires-in must be a positive number followed by s, m, h or d (30d)")
            }
            return Timestamp(microseconds: Timestamp.now().microseconds + count * unit * 1_000_000)
        }
    }
}

extension AccountScope {
    var display: String {
        switch self {
        case .all: "all"
        case .accounts(let ids): ids.map(\.rawValue).joined(separator: ",")
        }
    }
}

func printTable(header: [String], rows: [[String]]) {
    let all = [header] + rows
    let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    for row in all {
        print(
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces))
    }
}
