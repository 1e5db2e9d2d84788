import SafelistCore
import SafelistEngine

/// One message's evaluation as the API writes it (docs/api.md, "Evaluate messages").
public struct EvaluationJSON: JSONWritable {
    let evaluation: Evaluation
    let message: MailMessage

    public init(evaluation: Evaluation, message: MailMessage) {
        self.evaluation = evaluation
        self.message = message
    }

    public func write(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.key("matches")
            writer.array(evaluation.matches) { MatchJSON(match: $1, message: message).write(to: &$0) }
            writer.key("effects")
            writer.object { writer in
                writer.key("trusted_sender")
                writer.bool(evaluation.trustedSender)
                writer.key("acceptable_sender")
                writer.bool(evaluation.acceptableSender)
                writer.key("exempt_recipients")
                writer.array(evaluation.exemptRecipients) { $0.string(message.recipients[$1].address) }
                writer.key("disposition")
                writer.string(evaluation.disposition?.rawValue)
                writer.key("recipients")
                // Most messages have no exemption: the common answer needs no set.
                let exempt = evaluation.exemptRecipients.isEmpty ? [] : Set(evaluation.exemptRecipients)
                writer.array(message.recipients.indices) { writer, index in
                    writer.object { writer in
                        writer.key("address")
                        writer.string(message.recipients[index].address)
                        writer.key("exempt")
                        writer.bool(exempt.contains(index))
                        writer.key("disposition")
                        writer.string(evaluation.recipientDispositions?[index].rawValue)
                    }
                }
            }
        }
    }
}

struct MatchJSON: JSONWritable {
    let match: PolicyMatch
    /// The message matched, for the reason a refused match gives.
    let message: MailMessage

    func write(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.key("policy_id")
            writer.string(match.policy.id.rawValue)
            writer.key("pattern")
            writer.string(match.policy.pattern)
            writer.key("pattern_type")
            writer.string(match.policy.type.rawValue)
            writer.key("is_regex")
            writer.bool(match.policy.isRegex)
            writer.key("subject")
            writer.string(match.role.name)
            writer.key("subject_index")
            writer.int(match.role.index)
            writer.key("value")
            writer.string(match.value)
            writer.key("grants")
            writer.array(match.grants.names) { $0.string($1) }
            writer.key("honored")
            writer.bool(match.honored)
            writer.key("reason")
            writer.string(match.reason(in: message))
        }
    }
}

/// One item of a batch's answer: the message's evaluation, or (a message with problems) its
/// errors, pointers from the body's root: `{"errors": [...]}`.
public enum EvaluationItemJSON: JSONWritable {
    case evaluation(EvaluationJSON)
    case invalid([ErrorItem])

    public func write(to writer: inout JSONWriter) {
        switch self {
        case .evaluation(let evaluation): evaluation.write(to: &writer)
        case .invalid(let errors):
            writer.object { writer in
                writer.key("errors")
                writer.array(errors) { ErrorItemJSON($1).write(to: &$0) }
            }
        }
    }
}
