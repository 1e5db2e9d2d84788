/// The verdict of the detections on a message.
public enum Disposition: String, Sendable, CaseIterable {
    case malicious = "MALICIOUS"
    case maliciousBEC = "MALICIOUS-BEC"
    case suspicious = "SUSPICIOUS"
    case spoof = "SPOOF"
    case spam = "SPAM"
    case bulk = "BULK"
    case none = "NONE"

    /// What an acceptable sender clears; the malicious verdicts stay.
    var clearedByAcceptableSender: Bool { self == .spam || self == .spoof || self == .bulk }
}
