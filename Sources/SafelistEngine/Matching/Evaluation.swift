import SafelistCore

/// What the policies decide for one message: every match, and the effects of the honored ones.
public struct Evaluation: Sendable {
    public var matches: [PolicyMatch]
    /// An honored trusted-sender policy matched a sender subject: the whole message bypasses detections.
    public var trustedSender: Bool
    /// An honored acceptable-sender policy matched: SPAM, SPOOF and BULK verdicts are cleared.
    public var acceptableSender: Bool
    /// Indices into the message's recipients whose copy bypasses detections.
    public var exemptRecipients: [Int]
    /// The final verdict for the message, when the message carried one.
    public var disposition: Disposition?
    /// The final verdict per recipient, when the message carried one.
    public var recipientDispositions: [Disposition]?

    init(matches: [PolicyMatch], disposition given: Disposition?, recipientCount: Int) {
        self.matches = matches
        var trusted = false, acceptable = false
        var exempt = Set<Int>()
        for match in matches where match.honored {
            if match.grants.contains(.trustedSender) { trusted = true }
            if match.grants.contains(.acceptableSender) { acceptable = true }
            if match.grants.contains(.exemptRecipient), case .recipient(let index) = match.role { exempt.insert(index) }
        }
        trustedSender = trusted
        acceptableSender = acceptable
        exemptRecipients = exempt.sorted()
        guard let given else {
            disposition = nil
            recipientDispositions = nil
            return
        }
        // Trusted dominates acceptable; an exemption then applies per recipient on top.
        let final: Disposition = trusted ? .none : (acceptable && given.clearedByAcceptableSender ? .none : given)
        disposition = final
        recipientDispositions = (0..<recipientCount).map { exempt.contains($0) ? .none : final }
    }
}
