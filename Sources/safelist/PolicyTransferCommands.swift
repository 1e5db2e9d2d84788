import ArgumentParser
import Foundation
import SafelistCore
import SafelistServer
import SafelistTransfer

extension PolicyCommand {
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load policies from a file: JSON lines (what export writes), the full CSV, or the dashboard's upload CSV.",
            discussion: """
                All or nothing: a file with any bad row loads nothing, and every problem is listed with its line and field.
                The format is told by the name (.jsonl, .csv) and a CSV's header row; --format says it outright.
                With --url the whole file is checked first, against the server's policies too, then sent 1,000 rows a batch:
                each batch is all or nothing, the file is one transaction only on the database.
                """)
        @OptionGroup var target: Target
        @Argument(help: "The file.") var file: String
        @Option(help: "jsonl, csv or dashboard (default: from the name and header).") var format: PolicyFileFormat?
        @Flag(help: "Check every row and report, writing nothing.") var dryRun = false
        @Flag(help: "Load the good rows and report the others.") var skipInvalid = false
        @Flag(help: "Keep the file's ids and times (an export read back), instead of new ones.") var keepIds = false
        @Flag(help: "A row whose pattern a policy of the account has replaces that policy (which keeps its id).") var upsert = false
        @Flag(
            help: """
                PostgreSQL, 20,000 rows and more: drop the policies' indexes for the load and build them once after.                 Several times faster for a load as large as the table, but reads of every account's policies wait until it commits.
                """)
        var rebuildIndexes = false

        func run() async throws {
            let account = try target.accountID()
            guard !(target.remote && keepIds) else {
                throw ValidationError("--keep-ids writes ids into the database; through --url the server gives new ones")
            }
            guard !(upsert && keepIds) else {
                throw ValidationError("--upsert keeps the ids of the policies it replaces; it cannot be used with --keep-ids")
            }
            let started = ContinuousClock.now
            let meter = ProgressMeter(total: (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? nil)
            var options = PolicyImporter.Options()
            options.dryRun = dryRun
            options.skipInvalid = skipInvalid
            options.keepIDs = keepIds
            options.upsert = upsert
            options.rebuildIndexes = rebuildIndexes
            let (chosen, file, format) = (options, file, format)
            // The database is opened before the file is read: a wrong --database is told at
            // once, not after reading a million rows.
            let (read, outcome) = try await target.withPolicies(longRunning: true) { store in
                let read = try PolicyFileReader(path: file) { records, bytes in meter.update(records: records, bytes: bytes) }.read(format: format)
                meter.finish()
                let outcome = try await PolicyImporter(store: store, compileCheck: InProcessRegexCompileCheck())
                    .load(read, account: account, origin: .commandLine(.import), options: chosen)
                return (read, outcome)
            }
            let shown = outcome.problems.prefix(1000)
            for problem in shown { printError("\(file): \(problem)") }
            if outcome.problems.count > shown.count { printError("… and \(outcome.problems.count - shown.count) more problems") }
            let seconds =
                Double((ContinuousClock.now - started).components.attoseconds) / 1e18 + Double((ContinuousClock.now - started).components.seconds)
            let bad = Set(outcome.problems.map(\.line)).count
            if dryRun {
                print(
                    "\(read.records.count + read.problems.count) rows checked: \(read.records.count + read.problems.count - bad) good, \(bad) with problems; nothing written (--dry-run)"
                )
                if bad > 0 { throw ExitCode(1) }
            } else if outcome.refused {
                throw CommandFailure("\(bad) rows have problems; nothing was imported (fix them, or pass --skip-invalid to load the others)")
            } else {
                print(
                    String(
                        format: "imported %d policies into %@ in %.1f s (%.0f rows/s)", outcome.imported, account.rawValue, seconds,
                        Double(outcome.imported) / max(seconds, 0.001))
                        + (outcome.replaced > 0 ? "; replaced \(outcome.replaced)" : "") + (bad > 0 ? "; skipped \(bad) rows with problems" : ""))
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write an account's policies, oldest first, in a format import reads.")
        @OptionGroup var target: Target
        @Option(help: "jsonl (default: the API's objects, read back exactly), csv (every field) or dashboard.") var format = PolicyFileFormat.jsonl
        @Option(name: .shortAndLong, help: "The file to write (default: standard output).") var output: String?

        func run() async throws {
            let account = try target.accountID()
            let handle: FileHandle
            if let output {
                guard FileManager.default.createFile(atPath: output, contents: nil), let file = FileHandle(forWritingAtPath: output) else {
                    throw CommandFailure("cannot write \(output)")
                }
                handle = file
            } else {
                handle = FileHandle.standardOutput
            }
            let writer = try PolicyFileWriter(format: format, output: handle)
            let count = try await target.withPolicies(longRunning: true) {
                try await PolicyExporter.export(from: $0, account: account, to: writer)
            }
            if output != nil { print("exported \(count) policies to \(output ?? "")") }
        }
    }

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete every policy of an account, or of all accounts (for test suites that use Safelist as a stand-in).")
        @OptionGroup var store: StoreOptions
        @Option(help: "The account to empty.") var account: String?
        @Flag(help: "Empty every account.") var allAccounts = false
        @Flag(help: "Confirm: the policies are deleted for good.") var yes = false

        func run() async throws {
            guard yes else { throw ValidationError("policy reset deletes policies for good; pass --yes to confirm") }
            let scope: [AccountID]?
            switch (account, allAccounts) {
            case (let text?, false):
                guard let id = AccountID(text) else { throw ValidationError("--account must be 32 hexadecimal characters, not '\(text)'") }
                scope = [id]
            case (nil, true): scope = nil
            default: throw ValidationError("give --account or --all-accounts")
            }
            let deleted = try await store.withStore(longRunning: true) { store in
                try await PolicyReset(store: store, directory: store).reset(accounts: scope, origin: .commandLine(.cli))
            }
            print("deleted \(deleted) policies")
        }
    }
}

extension PolicyFileFormat: ExpressibleByArgument {}

func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
