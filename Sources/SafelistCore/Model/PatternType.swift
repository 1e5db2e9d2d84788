/// What a policy's pattern describes. `UNKNOWN` exists only on legacy rows and is never accepted
/// on writes.
public enum PatternType: String, Sendable, CaseIterable, Codable {
    case email = "EMAIL"
    case domain = "DOMAIN"
    case ip = "IP"
    case unknown = "UNKNOWN"
}
