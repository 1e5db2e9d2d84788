import SafelistCore

/// `GET /user/tokens/verify`'s result, as Cloudflare writes it: the token's id and status, and
/// its expiry when it has one. A token that is not active never gets here: authentication
/// refused it first.
public struct TokenStatusJSON: JSONWritable {
    let token: APIToken

    public init(token: APIToken) {
        self.token = token
    }

    public func write(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.key("id")
            writer.string(token.id)
            writer.key("status")
            writer.string("active")
            writer.key("not_before")
            writer.string(token.createdAt.rfc3339)
            if let expiresAt = token.expiresAt {
                writer.key("expires_on")
                writer.string(expiresAt.rfc3339)
            }
        }
    }
}
