import ArgumentParser
import SafelistCore

@main
struct SafelistCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "safelist",
        abstract: "A self-hosted, Cloudflare-compatible email allow-policy service.",
        version: SafelistVersion.current,
        subcommands: [ServeCommand.self, EvaluateCommand.self, PolicyCommand.self, TokenCommand.self, UserCommand.self, AuditCommand.self]
    )
}
