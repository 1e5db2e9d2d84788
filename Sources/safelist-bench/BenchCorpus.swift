import Foundation
import SafelistCore
import SafelistTesting

/// The engine benchmark's synthetic account: a million literal policies of every kind and a
/// thousand realistic regexes, with messages of which a tenth match something.
struct BenchCorpus {
    let account: AccountID
    var literals: [AllowPolicy] = []
    var regexes: [AllowPolicy] = []
    /// Raw envelopes: (envelope_from, header_from, recipients, client_ip, hostname).
    var messages: [RawMessage] = []
    var hitsPlanned = 0

    struct RawMessage {
        var envelopeFrom: String
        var headerFrom: String
        var recipients: [String]
        var clientIP: String
        var hostname: String?
        var spfPass: Bool
    }

    static func literal(_ index: Int, account: AccountID, now: Timestamp) -> AllowPolicy {
        let pattern: String, type: PatternType
        switch index % 10 {
        case 0, 1, 2, 3: (pattern, type) = ("user\(index)@sender\(index % 50_000).example", .email)
        // Mostly registrable names (two labels), some with a subdomain.
        case 4, 5: (pattern, type) = ("partner\(index).example", .domain)
        case 6: (pattern, type) = ("mx.d\(index).example", .domain)
        case 7, 8:
            let value = index / 10
            let octets = "\(20 + value % 80).\(value / 80 % 256).\(value / 20_480 % 256)"
            (pattern, type) = index % 20 < 10 ? ("\(octets).\(value % 250 + 1)", .ip) : ("\(octets).0/24", .ip)
        default:
            let groups = String(index >> 16, radix: 16) + ":" + String(index & 0xFFFF, radix: 16)
            (pattern, type) = index % 20 < 10 ? ("2606:\(groups)::/48", .ip) : ("2607:\(groups)::1", .ip)
        }
        // IP policies only grant on the sender side, where a client address is matched.
        let side = type == .ip ? index % 2 : index % 3
        return AllowPolicy(
            id: .timeOrdered(), accountID: account, pattern: pattern, matchKey: pattern, patternType: type, isRegex: false,
            isTrustedSender: side == 0, isExemptRecipient: side == 2, isAcceptableSender: side == 1,
            verifySender: index % 4 == 0, comments: nil, createdAt: now, modifiedAt: now)
    }

    static func regex(_ index: Int, account: AccountID, now: Timestamp) -> AllowPolicy {
        let pattern: String, type: PatternType
        switch index % 5 {
        case 0: (pattern, type) = (".*@dept\(index)\\.corp\(index % 97)\\.example", .email)
        case 1: (pattern, type) = ("(alerts|billing|noreply)-[0-9]+@vendor\(index)\\.example", .email)
        case 2: (pattern, type) = ("mx[0-9]{1,3}\\.relay\(index)\\.example", .domain)
        case 3: (pattern, type) = ("([a-z0-9-]+\\.)*tenant\(index)\\.example", .domain)
        default: (pattern, type) = ("45\\.\(index % 256)\\.\(index / 256 % 256)\\.(1[0-9]|2[0-9])", .ip)
        }
        let side = type == .ip ? index % 2 : index % 3
        return AllowPolicy(
            id: .timeOrdered(), accountID: account, pattern: pattern, matchKey: pattern, patternType: type, isRegex: true,
            isTrustedSender: side == 0, isExemptRecipient: side == 2, isAcceptableSender: side == 1,
            verifySender: false, comments: nil, createdAt: now, modifiedAt: now)
    }

    init(account: AccountID, literals literalCount: Int, regexes regexCount: Int, messages messageCount: Int) {
        self.account = account
        let now = Timestamp.now()
        literals = (0..<literalCount).map { Self.literal($0, account: account, now: now) }
        regexes = (0..<regexCount).map { Self.regex($0, account: account, now: now) }
        var random = SplitMix(seed: 42)
        for number in 0..<messageCount {
            var message = Self.miss(number, &random)
            if random.next() % 10 == 0, literalCount > 0 {
                hitsPlanned += 1
                self.plantHit(in: &message, &random)
            }
            messages.append(message)
        }
    }

    /// An everyday message that no policy covers: addresses and names under domains no
    /// policy names, an address outside every block.
    static func miss(_ number: Int, _ random: inout SplitMix) -> RawMessage {
        let r = Int(random.next() % 1_000_000)
        let from = "news\(r)@mail.shop\(r % 9_000).example.net"
        let header = random.next() % 5 == 0 ? "support\(r)@brand\(r % 700).example.net" : from
        var recipients = ["staff\(r % 5_000)@inbound\(r % 300).example.org"]
        if random.next() % 5 == 0 { recipients.append("team\(r % 900)@inbound\(r % 300).example.org") }
        let ip =
            random.next() % 5 == 0
            ? "2a00:1450:\(String(r % 65_536, radix: 16))::\(String(number % 65_536, radix: 16))"
            : "\(150 + r % 50).\(r / 50 % 256).\(r / 12_800 % 256).\(number % 250 + 1)"
        let hostname = random.next() % 2 == 0 ? "mta\(r % 400).out.example.com" : nil
        return RawMessage(
            envelopeFrom: from, headerFrom: header, recipients: recipients, clientIP: ip,
            hostname: hostname, spfPass: random.next() % 10 != 0)
    }

    /// Makes the message match one policy: a literal of any kind, or a regex.
    func plantHit(in message: inout RawMessage, _ random: inout SplitMix) {
        if !regexes.isEmpty, random.next() % 5 == 0 {
            let index = Int(random.next() % UInt64(regexes.count))
            let n = Int(random.next() % 900) + 10
            switch index % 5 {
            case 0: message.envelopeFrom = "ann\(n)@dept\(index).corp\(index % 97).example"
            case 1: message.recipients[0] = "billing-\(n)@vendor\(index).example"
            case 2: message.hostname = "mx\(n % 999).relay\(index).example"
            case 3: message.envelopeFrom = "bob@eu.mail.tenant\(index).example"
            default: message.clientIP = "45.\(index % 256).\(index / 256 % 256).1\(n % 10)"
            }
            message.headerFrom = message.envelopeFrom
            return
        }
        let policy = literals[Int(random.next() % UInt64(literals.count))]
        switch policy.patternType {
        case .email:
            if policy.isExemptRecipient { message.recipients[0] = policy.pattern } else { message.envelopeFrom = policy.pattern }
        case .domain:
            if policy.isExemptRecipient {
                message.recipients[0] = "info@" + policy.pattern
            } else {
                message.envelopeFrom = "info@smtp." + policy.pattern
            }
        default:
            let text = policy.pattern.split(separator: "/")[0]
            message.clientIP = text.hasSuffix(".0") ? text.dropLast() + "77" : text.hasSuffix("::") ? text + "9" : String(text)
        }
        message.headerFrom = message.envelopeFrom
    }
}
