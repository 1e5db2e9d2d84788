import CVectorscan
import Foundation

/// A compiled Vectorscan block-mode database of whole-subject expressions. Immutable once built
/// and safe to scan from many threads, each with its own scratch (`ScratchPool`).
public final class RegexDatabase: @unchecked Sendable {
    let handle: OpaquePointer
    public let count: Int

    /// Compiles `expressions` as given (see `WholeSubjectRegex.expression` for the anchored
    /// forms); match ids are their positions. Fails with the index of the first expression
    /// Vectorscan refused, so a caller can drop it and try again.
    public init(expressions texts: [String]) throws(RegexCompileError) {
        guard !texts.isEmpty else { throw RegexCompileError(message: "no expressions to compile", expressionIndex: -1) }
        var cStrings: [UnsafeMutablePointer<CChar>?] = texts.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        let flags = [UInt32](repeating: WholeSubjectRegex.flags, count: texts.count)
        let ids = (0..<texts.count).map { UInt32($0) }
        var database: OpaquePointer?
        var compileError: UnsafeMutablePointer<hs_compile_error_t>?
        let status = cStrings.withUnsafeMutableBufferPointer { patterns in
            // `hs_compile_multi` takes `const char * const *`; the array holds `char *`.
            UnsafeRawPointer(patterns.baseAddress).map { base in
                hs_compile_multi(
                    base.assumingMemoryBound(to: UnsafePointer<CChar>?.self), flags, ids,
                    UInt32(texts.count), UInt32(HS_MODE_BLOCK), nil, &database, &compileError)
            } ?? HS_COMPILER_ERROR
        }
        guard status == HS_SUCCESS, let database else {
            let message = compileError.flatMap { $0.pointee.message.map { String(cString: $0) } } ?? "error \(status)"
            let index = compileError.map { Int($0.pointee.expression) } ?? -1
            hs_free_compile_error(compileError)
            throw RegexCompileError(message: message, expressionIndex: index)
        }
        handle = database
        count = texts.count
    }

    /// A database compiled elsewhere (a worker, a cache), from `hs_serialize_database`'s bytes.
    public init(serialized bytes: [UInt8], count: Int) throws(RegexCompileError) {
        var database: OpaquePointer?
        let status = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { hs_deserialize_database($0, buffer.count, &database) }
            } ?? HS_INVALID
        }
        guard status == HS_SUCCESS, let database else {
            throw RegexCompileError(message: "the compiled database could not be read (error \(status))", expressionIndex: -1)
        }
        handle = database
        self.count = count
    }

    /// The database's bytes, for a cache to keep.
    public func serialized() -> [UInt8]? {
        var bytes: UnsafeMutablePointer<CChar>?
        var length = 0
        guard hs_serialize_database(handle, &bytes, &length) == HS_SUCCESS, let bytes else { return nil }
        defer { free(bytes) }
        return Array(UnsafeRawBufferPointer(start: bytes, count: length))
    }

    deinit { hs_free_database(handle) }

    /// The database without its owner, for hot loops that must not touch reference counts;
    /// valid while this object lives.
    public var unretained: UnretainedDatabase { UnretainedDatabase(handle: handle) }

    /// Calls `onMatch` with the id of every expression that matches the whole of `bytes`.
    /// Linear in the subject's length whatever the expressions: that is why tenant regexes run here.
    @inline(__always)
    public func scan(_ bytes: UnsafeRawBufferPointer, scratch: OpaquePointer, into matches: inout MatchIDs) {
        unretained.scan(bytes, scratch: scratch, into: &matches)
    }
}

/// A compiled database's handle, borrowed from the `RegexDatabase` that owns it.
public struct UnretainedDatabase: @unchecked Sendable {
    let handle: OpaquePointer

    /// Calls `onMatch` with the id of every expression that matches the whole of `bytes`.
    @inline(__always)
    public func scan(_ bytes: UnsafeRawBufferPointer, scratch: OpaquePointer, into matches: inout MatchIDs) {
        withUnsafeMutablePointer(to: &matches) { pointer in
            _ = hs_scan(
                handle, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), UInt32(bytes.count), 0,
                scratch,
                { id, _, _, _, context in
                    context?.assumingMemoryBound(to: MatchIDs.self).pointee.append(id)
                    return 0
                }, pointer)
        }
    }
}

/// The ids one scan reported. Most scans report none, so the storage is allocated only on a match.
public struct MatchIDs {
    public private(set) var ids: [UInt32] = []
    public init() {}
    public var isEmpty: Bool { ids.isEmpty }
    mutating func append(_ id: UInt32) { ids.append(id) }
    public mutating func removeAll() { ids.removeAll(keepingCapacity: true) }
}

public struct RegexCompileError: Error, Sendable, Equatable {
    public var message: String
    /// The position of the refused expression, or -1 when Vectorscan blamed none.
    public var expressionIndex: Int
}
