import ArgumentParser
import Foundation
import SafelistCore
import SafelistServer
import SafelistTransfer
import SafelistWire

/// `safelist policy`: the allow policies of an account, on the database directly, with the
/// API's validation and messages; a table for people, `--json` (the API's objects) for scripts.
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "List, show, add, edit, remove, import and export an account's allow policies.",
        subcommands: [List.self, Get.self, Add.self, Edit.self, Remove.self, Import.self, Export.self, Reset.self])

    /// Where the policies are: the database (`StoreOptions`), or a running server's API with
    /// `--url` and a token.
    struct Target: ParsableArguments {
        @OptionGroup var store: StoreOptions
        @Option(help: "The account (32 hexadecimal characters).") var account: String
        @Option(help: "A running server (http://host:port): work through its API, as the Cloudflare SDK does, instead of on the database.")
        var url: String?
        @Option(help: "The API token for --url, with Email Security Write for changes (env CLOUDFLARE_API_TOKEN).") var token: String?

        var remote: Bool { url != nil }

        func withPolicies<T: Sendable>(
            longRunning: Bool = false, _ body: @escaping @Sendable (any PolicyStore & PolicyBulkLoader) async throws -> T
        ) async throws -> T {
            guard let url else { return try await store.withStore(longRunning: longRunning) { try await body($0) } }
            guard let token = token ?? Environment.value("CLOUDFLARE_API_TOKEN") else {
                throw ValidationError("--url needs an API token: --token, or CLOUDFLARE_API_TOKEN")
            }
            return try await body(try RemotePolicyStore(url: url, token: token))
        }

        func accountID() throws -> AccountID {
            guard let id = AccountID(account) else { throw ValidationError("--account must be 32 hexadecimal characters, not '\(account)'") }
            return id
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List policies, oldest first.")
        @OptionGroup var target: Target
        @Option(help: "Only policies whose pattern or comments contain this text.") var search: String?
        @Option(help: "The page, from 1.") var page = 1
        @Option(help: "Policies per page, 1 to 1000.") var perPage = 50
        @Flag(help: "One API object a line.") var json = false

        func run() async throws {
            let account = try target.accountID()
            var pairs: [(name: String, value: String)] = [("page", String(page)), ("per_page", String(perPage))]
            if let search { pairs.append(("search", search)) }
            let query = try await refusingPlainly { try ListQuery.parse(pairs) }
            let page = try await target.withPolicies { try await $0.list(account: account, query: query) }
            if json { return page.policies.forEach(printJSON) }
            printTable(header: PolicyRow.header, rows: page.policies.map(PolicyRow.cells))
            print("\(page.policies.count) of \(page.totalCount) policies")
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one policy.")
        @OptionGroup var target: Target
        @Argument(help: "The policy's id.") var id: String
        @Flag(help: "The API's object.") var json = false

        func run() async throws {
            let account = try target.accountID()
            let id = try policyID(id)
            guard let policy = try await target.withPolicies({ try await $0.policy(account: account, id: id) }) else {
                throw CommandFailure("no policy \(id.rawValue) in account \(account.rawValue)")
            }
            if json { return printJSON(policy) }
            printTable(header: PolicyRow.header, rows: [PolicyRow.cells(policy)])
        }
    }

    /// The fields a create or an edit sets, given as flags.
    struct FieldOptions: ParsableArguments {
        @Option(help: "EMAIL, DOMAIN or IP (default for add: inferred, as for the dashboard's upload).") var type: String?
        @Option(help: "The pattern is a regular expression: true or false.") var regex: Bool?
        @Option(help: "Trusted sender: true or false.") var trustedSender: Bool?
        @Option(help: "Exempt recipient: true or false.") var exemptRecipient: Bool?
        @Option(help: "Acceptable sender: true or false.") var acceptableSender: Bool?
        @Option(help: "Verify the sender: true or false.") var verifySender: Bool?
        @Option(help: "Comments; an empty string removes them.") var comments: String?

        func object(pattern: String?, creating: Bool) -> JSONValue {
            var object: [String: JSONValue] = [:]
            if let pattern { object["pattern"] = .string(pattern) }
            if let type {
                object["pattern_type"] = .string(type.uppercased())
            } else if creating, let pattern {
                object["pattern_type"] = .string(PolicyFileFormat.inferType(pattern).rawValue)
            }
            let flags: [(String, Bool?)] = [
                ("is_regex", regex), ("is_trusted_sender", trustedSender), ("is_exempt_recipient", exemptRecipient),
                ("is_acceptable_sender", acceptableSender), ("verify_sender", verifySender),
            ]
            for (name, value) in flags {
                if let value { object[name] = .bool(value) } else if creating { object[name] = .bool(false) }
            }
            if let comments { object["comments"] = comments.isEmpty ? .null : .string(comments) }
            return .object(object)
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a policy (flags not given are false).")
        @OptionGroup var target: Target
        @Argument(help: "The pattern: an address, a domain, an IP or CIDR block, or a regex with --regex true.") var pattern: String
        @OptionGroup var fields: FieldOptions
        @Flag(help: "The API's object.") var json = false

        func run() async throws {
            let account = try target.accountID()
            var notices: [ErrorItem] = []
            let parsed = try await refusingPlainly { try PolicyFields.parse(fields.object(pattern: pattern, creating: true), notices: &notices) }
            let policy = try await target.withPolicies { store in
                try await checked(store).create(account: account, fields: parsed, origin: .commandLine(.cli))
            }
            if json { return printJSON(policy) }
            print("created \(policy.id.rawValue)")
        }
    }

    struct Edit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change some fields of a policy.")
        @OptionGroup var target: Target
        @Argument(help: "The policy's id.") var id: String
        @Option(help: "A new pattern.") var pattern: String?
        @OptionGroup var fields: FieldOptions
        @Flag(help: "The API's object.") var json = false

        func run() async throws {
            let account = try target.accountID()
            let id = try policyID(id)
            var notices: [ErrorItem] = []
            let edit = try await refusingPlainly { try PolicyEdit.parse(fields.object(pattern: pattern, creating: false), notices: &notices) }
            let policy = try await target.withPolicies { store in
                try await refusingPlainly { try await checked(store).edit(account: account, id: id, edit: edit, origin: .commandLine(.cli)) }
            }
            if json { return printJSON(policy) }
            print("edited \(policy.id.rawValue)")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete a policy.")
        @OptionGroup var target: Target
        @Argument(help: "The policy's id.") var id: String

        func run() async throws {
            let account = try target.accountID()
            let id = try policyID(id)
            try await target.withPolicies { store in
                try await refusingPlainly { try await store.delete(account: account, id: id, origin: .commandLine(.cli)) }
            }
            print("deleted \(id.rawValue)")
        }
    }
}

/// The columns `policy list` and `get` print.
enum PolicyRow {
    static let header = ["ID", "PATTERN", "TYPE", "REGEX", "GRANTS", "VERIFY", "COMMENTS"]

    static func cells(_ policy: AllowPolicy) -> [String] {
        let grants = [
            (policy.isTrustedSender, "trusted_sender"), (policy.isExemptRecipient, "exempt_recipient"),
            (policy.isAcceptableSender, "acceptable_sender"),
        ].filter(\.0).map(\.1)
        return [
            policy.id.rawValue, policy.pattern, policy.patternType.rawValue, policy.isRegex ? "yes" : "no",
            grants.isEmpty ? "-" : grants.joined(separator: ","), policy.verifySender ? "yes" : "no", policy.comments ?? "",
        ]
    }
}

func printJSON(_ policy: AllowPolicy) {
    print(String(decoding: PolicyJSON(policy: policy).jsonBytes(), as: UTF8.self))
}

func policyID(_ text: String) throws -> PolicyID {
    guard let id = PolicyID(text) else { throw ValidationError("'\(text)' is not a policy id (a UUID)") }
    return id
}

/// Writes checked as the API checks them: regexes compiled first (in this process: a command
/// is one operator's, with no budget to protect).
func checked(_ store: any PolicyStore) -> RegexCheckedStore {
    RegexCheckedStore(store: store, compileCheck: InProcessRegexCompileCheck())
}

/// Runs `body`, turning the API's refusals into the lines a person reads: `field: message`.
func refusingPlainly<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as SafelistError {
        throw CommandFailure(
            error.errors.map { item in
                let field = (item.pointer ?? item.parameter ?? "").split(separator: "/").last.map { "\($0): " } ?? ""
                return field + item.message
            }.joined(separator: "\n"))
    }
}

/// A command's refusal, printed as it is (no usage text), exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension ChangeOrigin {
    /// The operator at this terminal, for the audit trail.
    static func commandLine(_ channel: Channel) -> ChangeOrigin {
        let user = ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.environment["LOGNAME"] ?? "\(getuid())"
        return ChangeOrigin(actor: "cli:\(user)", channel: channel)
    }
}
