import ArgumentParser
import SafelistCore
import SafelistSQLite

@main
struct SafelistCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "safelist",
        abstract: "A self-hosted, Cloudflare-compatible email allow-policy service.",
        version: SafelistVersion.current,
        subcommands: [ServeCommand.self, EvaluateCommand.self, PolicyCommand.self, TokenCommand.self, UserCommand.self, AuditCommand.self]
    )

    /// Settles process-wide SQLite settings while no other thread uses SQLite, then runs the command.
    static func main() async {
        SQLiteProcessSettings.settle()
        await main(nil)
    }
}
