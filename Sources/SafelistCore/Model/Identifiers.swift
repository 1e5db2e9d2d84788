import Foundation

/// A Cloudflare account identifier: 32 lowercase hexadecimal characters.
public struct AccountID: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String

    /// Accepts only Cloudflare's form; anything else is not an account id (the API answers 7003).
    public init?(_ text: some StringProtocol) {
        guard text.utf8.count == 32,
              text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        else { return nil }
        rawValue = String(text)
    }

    public var description: String { rawValue }
}

/// A policy identifier: a UUID, always written lowercase.
public struct PolicyID: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String

    public init?(_ text: some StringProtocol) {
        guard text.utf8.count == 36, let uuid = UUID(uuidString: String(text)) else { return nil }
        rawValue = uuid.uuidString.lowercased()
    }

    public static func random() -> PolicyID {
        // A freshly generated UUID always parses.
        PolicyID(trusted: UUID().uuidString.lowercased())
    }

    /// For values read back from the store, which only ever holds ids this type produced.
    public init(trusted rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }
}
