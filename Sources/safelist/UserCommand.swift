import ArgumentParser
import SafelistCore

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage users and their Global API keys (Write on the user's accounts).",
        subcommands: [Create.self, List.self, Delete.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user and print its Global API key once.")
        @OptionGroup var store: StoreOptions
        @Option(help: "The user's email, sent as X-Auth-Email.") var email: String
        @OptionGroup var accounts: AccountOptions

        func run() async throws {
            guard Authenticator.isWellFormedEmail(email) else { throw ValidationError("'\(email)' is not an email address") }
            let (email, scope) = (email, try accounts.scope())
            let (user, key) = try await store.withStore { try await CredentialIssuer(store: $0).createUser(email: email, scope: scope) }
            print(
                """
                email: \(user.email)
                accounts: \(user.scope.display)
                key: \(key)
                The key is shown only now; Safelist keeps only its hash.
                Use it: export CLOUDFLARE_EMAIL=\(user.email) CLOUDFLARE_API_KEY=\(key)
                """)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users (never their keys).")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let rows = try await store.withStore { try await $0.users() }.map { [$0.email, $0.scope.display, $0.createdAt.rfc3339] }
            printTable(header: ["EMAIL", "ACCOUNTS", "CREATED"], rows: rows)
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a user; its key stops working at once.")
        @OptionGroup var store: StoreOptions
        @Option(help: "The user's email.") var email: String

        func run() async throws {
            let email = email
            guard try await store.withStore({ try await $0.deleteUser(email: email) }) else { throw ValidationError("no user has email \(email)") }
            print("deleted \(email)")
        }
    }
}
