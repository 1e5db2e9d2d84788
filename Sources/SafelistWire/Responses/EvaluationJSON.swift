import SafelistCore
import SafelistEngine

/// One message's evaluation as the API writes it (docs/api.md, "Evaluate messages").
public struct EvaluationJSON: Encodable {
    let evaluation: Evaluation
    let message: MailMessage

    public init(evaluation: Evaluation, message: MailMessage) {
        self.evaluation = evaluation
        self.message = message
    }

    enum Key: String, CodingKey { case matches, effects }
    enum EffectKey: String, CodingKey {
        case trustedSender = "trusted_sender", acceptableSender = "acceptable_sender"
        case exemptRecipients = "exempt_recipients", disposition, recipients
    }
    enum RecipientKey: String, CodingKey { case address, exempt, disposition }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(evaluation.matches.map { MatchJSON(match: $0, message: message) }, forKey: .matches)
        var effects = c.nestedContainer(keyedBy: EffectKey.self, forKey: .effects)
        try effects.encode(evaluation.trustedSender, forKey: .trustedSender)
        try effects.encode(evaluation.acceptableSender, forKey: .acceptableSender)
        try effects.encode(evaluation.exemptRecipients.map { message.recipients[$0].address }, forKey: .exemptRecipients)
        try effects.encode(evaluation.disposition?.rawValue, forKey: .disposition)
        var recipients = effects.nestedUnkeyedContainer(forKey: .recipients)
        let exempt = Set(evaluation.exemptRecipients)
        for (index, recipient) in message.recipients.enumerated() {
            var item = recipients.nestedContainer(keyedBy: RecipientKey.self)
            try item.encode(recipient.address, forKey: .address)
            try item.encode(exempt.contains(index), forKey: .exempt)
            try item.encode(evaluation.recipientDispositions?[index].rawValue, forKey: .disposition)
        }
    }
}

struct MatchJSON: Encodable {
    let match: PolicyMatch
    /// The message matched, for the reason a refused match gives.
    let message: MailMessage

    enum Key: String, CodingKey {
        case policyID = "policy_id", pattern, patternType = "pattern_type", isRegex = "is_regex"
        case subject, subjectIndex = "subject_index", value, grants, honored, reason
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(match.policy.id.rawValue, forKey: .policyID)
        try c.encode(match.policy.pattern, forKey: .pattern)
        try c.encode(match.policy.type.rawValue, forKey: .patternType)
        try c.encode(match.policy.isRegex, forKey: .isRegex)
        try c.encode(match.role.name, forKey: .subject)
        try c.encode(match.role.index, forKey: .subjectIndex)
        try c.encode(match.value, forKey: .value)
        try c.encode(match.grants.names, forKey: .grants)
        try c.encode(match.honored, forKey: .honored)
        try c.encode(match.reason(in: message), forKey: .reason)
    }
}

/// One item of a batch's answer: the message's evaluation, or (a message with problems) its
/// errors, pointers from the body's root: `{"errors": [...]}`.
public enum EvaluationItemJSON: Encodable {
    case evaluation(EvaluationJSON)
    case invalid([ErrorItem])

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .evaluation(let evaluation): try evaluation.encode(to: encoder)
        case .invalid(let errors):
            var c = encoder.container(keyedBy: JSONKey.self)
            try c.encode(errors.map(ErrorItemJSON.init), forKey: "errors")
        }
    }
}
