import Foundation

// `safelist-bench list …` (store paging at a million policies) or `safelist-bench engine …`
// (the policy engine at a million policies) or `safelist-bench json` (request body parsing) or
// `safelist-bench encode` (writing a list page) or
// `safelist-bench mail` (the Postfix policy service and the milter over loopback). Run release builds only.
switch CommandLine.arguments.dropFirst().first {
case "engine": try await EngineBenchmark(CommandLine.arguments.dropFirst(2)).run()
case "list": try await runListBenchmark()
case "json": try JSONBenchmark(CommandLine.arguments.dropFirst(2)).run()
case "encode": try EncodeBenchmark(CommandLine.arguments.dropFirst(2)).run()
case "mail": try await MailBenchmark(CommandLine.arguments.dropFirst(2)).run()
default:
    print(
        "usage: safelist-bench list … | safelist-bench json [--rounds N] | safelist-bench encode [--rounds N] | safelist-bench mail [--literals N] [--regexes N] [--seconds S] [--rounds R] | safelist-bench engine [--literals N] [--regexes N] [--messages N] [--scan-messages N] [--visibility-regexes N] [--profile-rounds N]"
    )
    exit(2)
}
