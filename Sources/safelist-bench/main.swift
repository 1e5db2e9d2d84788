import Foundation

// `safelist-bench list …` (store paging at a million policies) or `safelist-bench engine …`
// (the policy engine at a million policies) or `safelist-bench json` (request body parsing). Run release builds only.
switch CommandLine.arguments.dropFirst().first {
case "engine": try await EngineBenchmark(CommandLine.arguments.dropFirst(2)).run()
case "list": try await runListBenchmark()
case "json": try JSONBenchmark(CommandLine.arguments.dropFirst(2)).run()
default:
    print(
        "usage: safelist-bench list … | safelist-bench json [--rounds N] | safelist-bench engine [--literals N] [--regexes N] [--messages N] [--scan-messages N] [--visibility-regexes N] [--profile-rounds N]"
    )
    exit(2)
}
