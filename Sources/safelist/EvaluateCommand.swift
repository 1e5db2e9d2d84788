import ArgumentParser
import Foundation
import SafelistCore
import SafelistEngine
import SafelistServer
import SafelistWire

/// `safelist evaluate`: what an account's policies decide for one message, read from the
/// database directly (no server needed). The flags build the same body the API takes, so the
/// same validation applies and `--json` prints what the API would answer as `result`.
struct EvaluateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Show which allow policies match a message and what they exempt.")

    @OptionGroup var store: StoreOptions

    @Option(help: "The account whose policies apply (32 hex characters).")
    var account: String

    @Option(help: "SMTP MAIL FROM, bare or in <>; empty or <> for the null sender.")
    var from: String

    @Option(help: "The From: header's value as the message has it (display names, comments, several addresses).")
    var headerFrom: String?

    @Option(help: "A Reply-To: header's value; repeat for several.")
    var replyTo: [String] = []

    @Option(help: "An SMTP RCPT TO address; repeat for several.")
    var to: [String]

    @Option(help: "The connecting server's IP address.")
    var ip: String?

    @Option(help: "The connecting server's host name (reverse DNS or HELO).")
    var hostname: String?

    @Option(help: "SPF result: pass, fail, softfail, neutral, none, temperror, permerror, policy.")
    var spf: String?

    @Option(help: "The domain SPF checked (default: the --from domain, or --hostname for the null sender).")
    var spfDomain: String?

    @Option(help: "A DKIM signature's result, as DOMAIN=RESULT (its d= domain), or a plain RESULT; repeat for several.")
    var dkim: [String] = []

    @Option(help: "DMARC result, as for --spf.")
    var dmarc: String?

    @Option(help: "The domain DMARC checked (default: the From: domain).")
    var dmarcDomain: String?

    @Option(help: "An Authentication-Results header's value; repeat for several. Read only from a --trusted-authserv-id.")
    var authenticationResults: [String] = []

    @OptionGroup var verification: VerificationOptions

    @Option(help: "The detections' verdict (MALICIOUS, MALICIOUS-BEC, SUSPICIOUS, SPOOF, SPAM, BULK, NONE), to compute the final one.")
    var disposition: String?

    @Flag(help: "Print the evaluation as the API's JSON.")
    var json = false

    func run() async throws {
        guard let accountID = AccountID(account) else {
            throw ValidationError("--account must be 32 lowercase hexadecimal characters")
        }
        let request: EvaluationRequest
        do {
            request = try EvaluationRequest.parse(body, context: .init(trustedAuthservIDs: verification.trustedAuthservIDs))
        } catch {
            let problems = error.errors.map { "  \(Self.flag(for: $0.pointer)): \($0.message)" }
            throw ValidationError("the message is not valid:\n" + problems.joined(separator: "\n"))
        }
        guard let prepared = request.messages.first else { throw ValidationError("the message is not valid") }
        var options = EngineOptions()
        options.publicSuffixes = try verification.publicSuffixes()
        let engineOptions = options
        for note in request.notes { Console.line("note: \(note.message)") }
        let evaluation = try await store.withStore { store in
            try await PolicyEngine(feed: store, options: engineOptions).evaluate(account: accountID, messages: [prepared])[0]
        }
        if json {
            let data = EvaluationJSON(evaluation: evaluation, message: prepared.message).jsonBytes(pretty: true)
            Console.line(String(decoding: data, as: UTF8.self))
        } else {
            Console.line(EvaluationReport(evaluation: evaluation, message: prepared.message).text)
        }
    }

    private var body: [UInt8] {
        var writer = JSONWriter()
        writer.object { body in
            body.key("envelope_from")
            body.string(from)
            body.key("recipients")
            body.array(to) { $0.string($1) }
            if let headerFrom {
                body.key("header_from")
                body.string(headerFrom)
            }
            if !replyTo.isEmpty {
                body.key("reply_to")
                body.array(replyTo) { $0.string($1) }
            }
            if let ip {
                body.key("client_ip")
                body.string(ip)
            }
            if let hostname {
                body.key("client_hostname")
                body.string(hostname)
            }
            if let disposition {
                body.key("disposition")
                body.string(disposition.uppercased())
            }
            if spf != nil || !dkim.isEmpty || dmarc != nil {
                body.key("auth")
                body.object { auth in
                    if let spf { Self.check(&auth, "spf", spf, domain: spfDomain) }
                    if !dkim.isEmpty {
                        auth.key("dkim")
                        auth.array(dkim) { signatures, text in
                            guard let equals = text.lastIndex(of: "=") else { return signatures.string(text) }
                            Self.check(&signatures, nil, String(text[text.index(after: equals)...]), domain: String(text[..<equals]))
                        }
                    }
                    if let dmarc { Self.check(&auth, "dmarc", dmarc, domain: dmarcDomain) }
                }
            }
            if !authenticationResults.isEmpty {
                body.key("authentication_results")
                body.array(authenticationResults) { $0.string($1) }
            }
        }
        return writer.bytes
    }

    /// A result, or a result with its domain; as the member `key` when given.
    private static func check(_ writer: inout JSONWriter, _ key: String?, _ result: String, domain: String?) {
        if let key { writer.key(key) }
        guard let domain else { return writer.string(result) }
        writer.object { check in
            check.key("result")
            check.string(result)
            check.key("domain")
            check.string(domain)
        }
    }

    private static func flag(for pointer: String?) -> String {
        let names = [
            "envelope_from": "--from", "header_from": "--header-from", "reply_to": "--reply-to",
            "recipients": "--to", "client_ip": "--ip", "client_hostname": "--hostname",
            "auth": "--spf/--dkim/--dmarc", "disposition": "--disposition",
        ]
        let parts = (pointer ?? "").split(separator: "/").map(String.init)
        guard let first = parts.first else { return "message" }
        if first == "auth", parts.count > 1 { return "--" + parts[1] }
        return names[first] ?? first
    }
}
