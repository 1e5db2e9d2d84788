/// Every code Safelist answers with. Cloudflare's own codes are reproduced where Cloudflare is
/// known to use them; the 25xxx block is Safelist's stable catalogue (docs/errors.md). Codes are
/// part of the API: never renumber one.
public enum ErrorCode {
    // Cloudflare's codes.
    public static let missingCredentials = 9106
    public static let invalidRequestHeaders = 6003
    public static let invalidAuthorizationHeader = 6111
    public static let invalidAuthEmailHeader = 6102
    public static let invalidAuthKeyHeader = 6103
    public static let authenticationError = 10000
    public static let unauthorized = 9109
    public static let couldNotRoute = 7003
    public static let noRoute = 7000
    public static let rateLimited = 971

    // Safelist's catalogue.
    public static let malformedJSON = 25001
    public static let unsupportedContentType = 25002
    public static let bodyTooLarge = 25003
    public static let missingField = 25010
    public static let wrongType = 25011
    public static let unknownField = 25012
    public static let invalidValue = 25013
    public static let aliasConflict = 25014
    public static let emptyEdit = 25015
    public static let tooManyItems = 25016
    public static let invalidEmail = 25020
    public static let invalidDomain = 25021
    public static let invalidIP = 25022
    public static let nonPublicIP = 25023
    public static let hostBitsSet = 25024
    public static let invalidRegex = 25025
    public static let unsupportedRegex = 25026
    public static let invalidQueryParameter = 25030
    public static let policyNotFound = 25040
    public static let duplicatePattern = 25041
    public static let methodNotAllowed = 25050
    public static let storeUnavailable = 25060
    public static let internalError = 25061
    public static let deprecatedField = 25070
}
