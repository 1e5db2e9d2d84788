/// Every code Safelist answers with. Cloudflare's own codes are reproduced where Cloudflare is
/// known to use them; the 25xxx block is Safelist's stable catalogue (docs/errors.md). Codes are
/// part of the API: never renumber one.
public enum ErrorCode: Int, Sendable, CaseIterable {
    // Cloudflare's codes.
    case missingCredentials = 9106
    case invalidRequestHeaders = 6003
    case invalidAuthorizationHeader = 6111
    case invalidAuthEmailHeader = 6102
    case invalidAuthKeyHeader = 6103
    case authenticationError = 10000
    case unauthorized = 9109
    case couldNotRoute = 7003
    case noRoute = 7000
    case rateLimited = 971

    // Safelist's catalogue.
    case malformedJSON = 25001
    case unsupportedContentType = 25002
    case bodyTooLarge = 25003
    case malformedRequest = 25004
    case headersTooLarge = 25005
    case missingField = 25010
    case wrongType = 25011
    case unknownField = 25012
    case invalidValue = 25013
    case aliasConflict = 25014
    case emptyEdit = 25015
    case tooManyItems = 25016
    case moreProblems = 25017
    case invalidEmail = 25020
    case invalidDomain = 25021
    case invalidIP = 25022
    case nonPublicIP = 25023
    case hostBitsSet = 25024
    case invalidRegex = 25025
    case unsupportedRegex = 25026
    case regexTooCostly = 25027
    case invalidQueryParameter = 25030
    case policyNotFound = 25040
    case duplicatePattern = 25041
    case methodNotAllowed = 25050
    case storeUnavailable = 25060
    case internalError = 25061
    case serverBusy = 25062
    case resetNotAllowed = 25063
    case deprecatedField = 25070
    case ignoredInput = 25071
}
