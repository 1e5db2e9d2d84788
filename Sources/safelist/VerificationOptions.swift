import ArgumentParser
import Foundation
import SafelistCore

/// What sender verification is read with, for `serve` and `evaluate`.
struct VerificationOptions: ParsableArguments {
    @Option(
        name: .customLong("trusted-authserv-id"),
        help:
            "An authserv-id whose Authentication-Results are read; repeat for several (env SAFELIST_TRUSTED_AUTHSERV_IDS, comma-separated; default none)."
    )
    var trustedAuthservIDOptions: [String] = []

    @Option(
        help:
            "The Public Suffix List file (env SAFELIST_PUBLIC_SUFFIX_LIST; default /usr/share/publicsuffix/public_suffix_list.dat, from Debian's publicsuffix package)."
    )
    var publicSuffixList: String?

    var trustedAuthservIDs: Set<String> {
        let listed =
            trustedAuthservIDOptions.isEmpty
            ? (Environment.value("SAFELIST_TRUSTED_AUTHSERV_IDS")?.split(separator: ",").map(String.init) ?? []) : trustedAuthservIDOptions
        return Set(listed.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    }

    /// The list, read now: without it, alignment cannot be decided, so nothing starts.
    func publicSuffixes() throws -> PublicSuffixList {
        let path = publicSuffixList ?? Environment.value("SAFELIST_PUBLIC_SUFFIX_LIST") ?? PublicSuffixList.defaultPath
        do {
            return try PublicSuffixList(contentsOf: path)
        } catch {
            throw ValidationError(error.description)
        }
    }
}
