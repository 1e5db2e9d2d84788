import SafelistCore
import SafelistTransfer

/// `--seed ACCOUNT=FILE`: policy files loaded before the port opens, each into an account that
/// has no policies yet (a database kept between runs is not seeded twice). A file with any bad
/// row stops the start, with every problem listed: a test suite's fixtures are fixed, not
/// half loaded.
enum Seeding {
    static func load(
        _ seeds: [Seed], store: any SafelistStore, compileCheck: any RegexCompileCheck, announce: @Sendable (String) -> Void
    ) async throws {
        for seed in seeds {
            // A count, not a read of the account's policies: a kept database may hold a million.
            var first = ListQuery()
            first.perPage = 1
            if try await store.list(account: seed.account, query: first).totalCount > 0 {
                announce("Account \(seed.account.rawValue) has policies already: --seed \(seed.path) skipped")
                continue
            }
            let file: PolicyFileReader.Result
            do {
                file = try PolicyFileReader(path: seed.path).read()
            } catch let error as ImportFileError {
                throw SeedFailed(description: "--seed \(seed.path): \(error)")
            }
            var options = PolicyImporter.Options()
            options.keepIDs = true
            let outcome = try await PolicyImporter(store: store, compileCheck: compileCheck)
                .load(file, account: seed.account, origin: ChangeOrigin(actor: "system", channel: .import), options: options)
            guard !outcome.refused else {
                let listed = outcome.problems.prefix(20).map { "  \(seed.path): \($0)" }.joined(separator: "\n")
                throw SeedFailed(
                    description: "--seed \(seed.path) has \(outcome.problems.count) problems; nothing was loaded:\n" + listed
                        + (outcome.problems.count > 20 ? "\n  …" : ""))
            }
            announce("Seeded \(outcome.imported) policies into account \(seed.account.rawValue) from \(seed.path)")
        }
    }
}

public struct SeedFailed: Error, CustomStringConvertible {
    public let description: String
}
