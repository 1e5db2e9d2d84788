import CPrefetch
import SafelistCore

/// A message ready to be matched: the message, and its subjects laid out once for the engine
/// (`SubjectLayout`). Made by whoever parses messages, once each, so that evaluating a batch
/// reads bytes already in place; the layout is the engine's own business.
///
/// Two references, whatever the message holds: copying one costs two retains, not one for each
/// of the message's strings and lists. What every evaluation reads of a message that matched
/// nothing (where its layout lies, its verdict and recipient count) is kept here, out of the
/// objects: reading a batch's messages in order then loads memory in order, not an object or
/// two a message, one after the other.
public struct PreparedMessage: Sendable {
    private let contents: Contents
    /// Owns the storage `view` points into.
    let layout: SubjectLayout
    let view: LayoutView
    let recipientCount: UInt32
    let disposition: Disposition?

    private final class Contents: Sendable {
        let message: MailMessage
        let clientIPText: String?

        init(_ message: MailMessage) {
            self.message = message
            clientIPText = message.clientIP?.description
        }
    }

    public init(_ message: MailMessage) {
        // Made before the layout, so that the layout's object and its storage, which an
        // evaluation reads one after the other, are allocated side by side.
        contents = Contents(message)
        layout = SubjectLayout(message, clientIPText: contents.clientIPText)
        view = layout.view
        recipientCount = UInt32(truncatingIfNeeded: message.recipients.count)
        disposition = message.disposition
    }

    /// Yielded in place, not returned: a copy would retain each of the message's strings and
    /// lists, for every match an answer reports.
    public var message: MailMessage {
        _read { yield contents.message }
    }
    /// Starts loading the message's contents, which only a message with a match reads: the
    /// loads of a batch's matched messages then overlap, as the policies' do.
    func prefetchContents() {
        safelist_prefetch(Unmanaged.passUnretained(contents).toOpaque())
    }

    /// Canonical text of the client IP, what IP regexes see; formatted once here.
    var clientIPText: String? { contents.clientIPText }
}
