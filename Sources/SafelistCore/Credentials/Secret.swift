import Crypto

/// Generation, hashing and comparison of credential secrets. Secrets carry at least 148 bits of
/// randomness, so one unsalted SHA-256 is enough to keep them useless if the database leaks.
public enum Secret {
    private static let tokenAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-".utf8)
    /// A token's first character: no `-` or `_`.
    private static let leadingAlphabet = Array(tokenAlphabet.prefix(62))
    private static let hexAlphabet = Array("0123456789abcdef".utf8)

    /// 40 characters of `[A-Za-z0-9_-]`, Cloudflare's API token shape (about 240 bits), the first
    /// a letter or digit: a token that began with `-` was read as an option by every command
    /// line it was passed to (`--token -x…`: "Missing value for '--token'"), one in 64.
    public static func newToken() -> String {
        random(length: 1, from: leadingAlphabet) + random(length: 39, from: tokenAlphabet)
    }

    /// 37 lowercase hexadecimal characters, Cloudflare's Global API key shape (148 bits).
    public static func newGlobalKey() -> String { random(length: 37, from: hexAlphabet) }

    /// 32 lowercase hexadecimal characters: token ids, like Cloudflare's.
    public static func newIdentifier() -> String { random(length: 32, from: hexAlphabet) }

    public static func hash(_ secret: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(secret.utf8)))
    }

    /// Compares two digests without an early exit, so timing tells nothing about where they differ.
    public static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }

    private static func random(length: Int, from alphabet: [UInt8]) -> String {
        // SystemRandomNumberGenerator reads the kernel's CSPRNG (getrandom on Linux).
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
        return String(decoding: bytes, as: UTF8.self)
    }
}
