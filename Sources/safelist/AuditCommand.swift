import ArgumentParser
import Foundation
import SafelistCore
import SafelistWire

/// `safelist audit`: an account's policy changes from the database, newest first, as the
/// audit route pages them; a table for people, JSON lines (the route's objects) for scripts.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Show who changed an account's policies, when, from where, and the policy before and after.")

    @OptionGroup var store: StoreOptions
    @Option(help: "The account (32 hexadecimal characters).") var account: String
    @Option(help: "Only this policy's changes.") var policy: String?
    @Option(help: "Only this actor's changes: token:ID, user:EMAIL or cli:USER.") var actor: String?
    @Option(help: "Changes at or after this RFC 3339 time.") var since: String?
    @Option(help: "Changes before this RFC 3339 time.") var until: String?
    @Option(help: "Entries per page, 1 to 1000.") var perPage = 50
    @Option(help: "The page, from 1 (newest).") var page = 1
    @Flag(help: "One JSON object a line, as GET …/allow_policies/audit answers them.") var json = false

    func run() async throws {
        guard let account = AccountID(account) else { throw ValidationError("--account must be 32 hexadecimal characters, not '\(account)'") }
        let query: AuditQuery
        do {
            var pairs: [(name: String, value: String)] = [("page", String(page)), ("per_page", String(perPage))]
            for (name, value) in [("policy_id", policy), ("actor", actor), ("since", since), ("until", until)] {
                if let value { pairs.append((name, value)) }
            }
            query = try AuditQuery.parse(pairs)
        } catch {
            throw ValidationError(error.errors.map(\.message).joined(separator: "; "))
        }
        let result = try await store.withStore { try await $0.audit(account: account, query: query) }
        if json {
            for entry in result.entries { print(String(decoding: AuditJSON(entry).jsonBytes(), as: UTF8.self)) }
            return
        }
        let rows = result.entries.map { entry in
            [
                entry.at.rfc3339, entry.action.rawValue, entry.origin.channel.rawValue, entry.origin.actor, entry.origin.client ?? "-",
                entry.policyID.rawValue, (entry.after ?? entry.before)?.pattern ?? "",
            ]
        }
        printTable(header: ["AT", "ACTION", "VIA", "ACTOR", "CLIENT", "POLICY", "PATTERN"], rows: rows)
        let more = query.offset.map { $0 + result.entries.count < result.totalCount } ?? false
        print("\(result.entries.count) of \(result.totalCount) entries" + (more ? "; next: --page \(query.page + 1)" : ""))
    }
}
