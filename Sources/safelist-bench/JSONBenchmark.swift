import Foundation
import SafelistWire

/// `safelist-bench json [--rounds N]`
///
/// Parses request bodies of the shapes Safelist receives with its own parser and, in the same
/// run and alternating round by round, with Foundation's `JSONSerialization` and with the
/// `JSONDecoder`-based reading the server used before (`LegacyJSONValue`, kept here as the
/// baseline). Prints each parser's megabytes a second, the range over the rounds.
struct JSONBenchmark {
    let rounds: Int

    init(_ arguments: ArraySlice<String>) throws {
        rounds = try BenchUsage.rounds(arguments, default: 7)
    }

    func run() throws {
        print("body                          bytes      Safelist MB/s   JSONSerialization MB/s   JSONDecoder (before) MB/s")
        for (name, body) in Self.bodies() {
            var speeds: [[Double]] = [[], [], []]
            // Small bodies are parsed many times per round so that a round lasts long enough to time.
            let repeats = max(1, 20_000_000 / body.count)
            for _ in 0..<rounds {
                speeds[0].append(try measure(body, repeats) { try JSONParser.parse($0) })
                speeds[1].append(try measure(body, repeats) { try JSONSerialization.jsonObject(with: $0, options: [.fragmentsAllowed]) })
                speeds[2].append(try measure(body, repeats) { try JSONDecoder().decode(LegacyJSONValue.self, from: $0) })
            }
            let columns = speeds.map { "\(Int($0.min() ?? 0))–\(Int($0.max() ?? 0))" }
            print(
                name.padding(toLength: 30, withPad: " ", startingAt: 0) + String(body.count).padding(toLength: 11, withPad: " ", startingAt: 0)
                    + columns[0].padding(toLength: 16, withPad: " ", startingAt: 0) + columns[1].padding(toLength: 25, withPad: " ", startingAt: 0)
                    + columns[2])
        }
    }

    private func measure<T>(_ body: Data, _ repeats: Int, _ parse: (Data) throws -> T) throws -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<repeats { _ = try parse(body) }
        return Double(body.count * repeats) / seconds(clock.now - start) / 1e6
    }

    /// A policy write, a 1,000-policy batch, a 1,000-message evaluate batch and a 31 MB array.
    static func bodies() -> [(String, Data)] {
        let policy =
            #"{"pattern":"ann@partner.example","pattern_type":"EMAIL","is_regex":false,"is_trusted_sender":true,"#
            + #""is_exempt_recipient":false,"is_acceptable_sender":false,"verify_sender":true,"comments":"Partner \"billing\" desk \u00e9"}"#
        let policies = "[" + (0..<1000).map { policy.replacingOccurrences(of: "ann@", with: "ann\($0)@") }.joined(separator: ",") + "]"
        let message =
            #"{"envelope_from":"<bounce@mail.partner.example>","header_from":"\"Bob, CFO\" <bob@partner.example>","#
            + #""recipients":["ceo@corp.example","cfo@corp.example"],"client_ip":"203.0.113.9","client_hostname":"mx1.partner.example","#
            + #""auth":{"spf":{"result":"pass","domain":"mail.partner.example"},"dkim":[{"result":"pass","domain":"partner.example"}],"dmarc":"pass"},"#
            + #""disposition":"SPAM"}"#
        let batch = #"{"messages":["# + Array(repeating: message, count: 1000).joined(separator: ",") + "]}"
        let numbers = "[" + Array(repeating: "1", count: 15_500_000).joined(separator: ",") + "]"
        return [("one policy", policy), ("1,000 policies", policies), ("1,000 messages", batch), ("31 MB of numbers", numbers)]
            .map { ($0.0, Data($0.1.utf8)) }
    }
}

/// How request bodies were read before the single-pass parser: `JSONDecoder` with a chain of
/// `try?` per value. Kept as the benchmark's baseline only.
private enum LegacyJSONValue: Decodable {
    case null, bool(Bool), number(Double), string(String), array([LegacyJSONValue]), object([String: LegacyJSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode([LegacyJSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: LegacyJSONValue].self))
        }
    }
}
