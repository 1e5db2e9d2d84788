/// One Postfix policy delegation request (SMTPD_POLICY_README): `name=value` attributes, in any
/// order. A repeated attribute keeps its last value; unknown ones are carried and ignored.
struct PolicyRequest: Sendable, Equatable {
    var attributes: [String: String]

    init(_ attributes: [String: String]) {
        self.attributes = attributes
    }

    subscript(_ name: String) -> String? { attributes[name] }

    /// An attribute's value, nil when absent or empty (Postfix sends a missing value either way).
    func value(_ name: String) -> String? {
        guard let value = attributes[name], !value.isEmpty else { return nil }
        return value
    }
}
