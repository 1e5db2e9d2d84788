import CSV
import Foundation
import SafelistCore
import SafelistWire
import Synchronization

/// Reads an import file into validated records and the problems of the lines that are not,
/// each with its line, field and the API's message: a policy in a file is checked exactly as a
/// create body is (`PolicyFields.parse`), whatever the format.
public struct PolicyFileReader {
    public struct Result: Sendable {
        public var format: PolicyFileFormat
        public var records: [PolicyRecord] = []
        public var problems: [ImportProblem] = []
    }

    let path: String
    /// Called every 10,000 records with the records read and the bytes consumed so far, one
    /// call at a time (from whichever thread read them).
    var progress: @Sendable (_ records: Int, _ bytes: Int) -> Void = { _, _ in }

    public init(path: String, progress: @escaping @Sendable (_ records: Int, _ bytes: Int) -> Void = { _, _ in }) {
        self.path = path
        self.progress = progress
    }

    public func read(format requested: PolicyFileFormat? = nil) throws -> Result {
        guard FileManager.default.isReadableFile(atPath: path) else { throw ImportFileError("cannot read \(path): no such readable file") }
        if requested == .jsonl || (requested == nil && PolicyFileFormat.detect(path: path, header: nil) == .jsonl) {
            return try readJSONLines()
        }
        return try readCSV(requested)
    }

    /// The file in chunks of whole lines, each read and validated on its own core, then
    /// joined in file order (reading and validation were most of a large import on one core).
    private func readJSONLines() throws -> Result {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let chunks = data.withUnsafeBytes { Self.lineChunks($0, count: 4 * ProcessInfo.processInfo.activeProcessorCount) }
        let counted = Mutex((lines: 0, bytes: 0))
        let progress = progress
        let parts = ParallelMap.run(chunks) { chunk in
            data.withUnsafeBytes { buffer in
                Self.readJSONLines(UnsafeRawBufferPointer(rebasing: buffer[chunk])) { lines, bytes in
                    counted.withLock { total in
                        total.lines += lines
                        total.bytes += bytes
                        progress(total.lines, total.bytes)
                    }
                }
            }
        }
        var result = Result(format: .jsonl)
        var linesBefore = 0
        for part in parts {
            result.records += part.result.records.map { record in
                var record = record
                record.line += linesBefore
                return record
            }
            result.problems += part.result.problems.map { problem in
                var problem = problem
                problem.line += linesBefore
                return problem
            }
            linesBefore += part.lines
        }
        return result
    }

    /// About `count` ranges of `buffer` that end after a newline (the last at the end).
    static func lineChunks(_ buffer: UnsafeRawBufferPointer, count: Int) -> [Range<Int>] {
        var chunks: [Range<Int>] = []
        var start = 0
        let size = max(1, buffer.count / max(1, count))
        while start < buffer.count {
            var end = min(buffer.count, start + size)
            if end < buffer.count { end = (buffer[end...].firstIndex(of: UInt8(ascii: "\n")) ?? buffer.count - 1) + 1 }
            chunks.append(start..<end)
            start = end
        }
        return chunks
    }

    /// One chunk, its lines numbered from 1; `report` hears of every 10,000 lines and their bytes.
    private static func readJSONLines(
        _ buffer: UnsafeRawBufferPointer, report: (_ lines: Int, _ bytes: Int) -> Void
    ) -> (result: Result, lines: Int) {
        var result = Result(format: .jsonl)
        var start = 0
        var line = 0
        var reported = (line: 0, start: 0)
        while start < buffer.count {
            let end = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) ?? buffer.count
            line += 1
            let bytes = UnsafeRawBufferPointer(rebasing: buffer[start..<end])
            start = end + 1
            if bytes.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }) { continue }
            do {
                let value = try JSONValue.parse(bytes)
                result.add(line: line, value)
            } catch {
                result.problems.append(contentsOf: problems(error, line: line))
            }
            if line - reported.line == 10_000 {
                report(line - reported.line, min(start, buffer.count) - reported.start)
                reported = (line, min(start, buffer.count))
            }
        }
        return (result, line)
    }

    private func readCSV(_ requested: PolicyFileFormat?) throws -> Result {
        // Read whole, not through `InputStream`: on Linux the stream says it has bytes left at its
        // end, and CSV.swift then reports the end of the file as a read error.
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ImportFileError("cannot read \(path) as UTF-8 text: \(error.localizedDescription)")
        }
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: true)
        } catch {
            throw ImportFileError("\(path) is not a CSV file with a header row: \(error)")
        }
        let header = (reader.headerRow ?? []).map { $0.trimmingCharacters(in: .whitespaces) }
        let format = requested ?? PolicyFileFormat.detect(path: path, header: header)
        var result = Result(format: format)
        let expected = format == .dashboard ? DashboardCSV.columns : FullCSV.columns
        let unknown = header.filter { !expected.contains($0) }
        guard unknown.isEmpty, header.contains(format == .dashboard ? "Pattern" : "pattern") else {
            throw ImportFileError(
                "\(path): the header row must name the columns \(expected.joined(separator: ", "))"
                    + (unknown.isEmpty ? "" : "; it has \(unknown.joined(separator: ", ")), which are not among them"))
        }
        var line = 1
        var bytes = 0
        while let row = reader.next() {
            line += 1
            bytes += row.reduce(row.count) { $0 + $1.utf8.count }
            guard row.count == header.count else {
                result.problems.append(ImportProblem(line: line, field: "", message: "has \(row.count) fields; the header has \(header.count)"))
                continue
            }
            let cells = Dictionary(uniqueKeysWithValues: zip(header, row))
            let object = format == .dashboard ? DashboardCSV.object(cells) : FullCSV.object(cells)
            switch object {
            case .success(let value): result.add(line: line, value)
            case .failure(let problem): result.problems.append(ImportProblem(line: line, field: problem.field, message: problem.message))
            }
            if line % 10_000 == 0 { progress(line, bytes) }
        }
        if let error = reader.error { throw ImportFileError("\(path): line \(line + 1) is not valid CSV: \(error)") }
        return result
    }

    /// A refusal's items as problems of `line`, each at the field its pointer names.
    static func problems(_ error: any Error, line: Int) -> [ImportProblem] {
        guard let error = error as? SafelistError else { return [ImportProblem(line: line, field: "", message: "\(error)")] }
        return error.errors.map { item in
            ImportProblem(line: line, field: String((item.pointer ?? "").drop { $0 == "/" }), message: item.message)
        }
    }
}

extension PolicyFileReader.Result {
    /// Validates one policy object as a create body, with an export's own members allowed.
    fileprivate mutating func add(line: Int, _ value: JSONValue) {
        var notices: [ErrorItem] = []
        do {
            let fields = try PolicyFields.parse(value, extraKeys: PolicyJSON.serverKeys, notices: &notices)
            let object = value.objectValue ?? [:]
            var record = PolicyRecord(line: line, fields: fields)
            if case .string(let text)? = object["id"] {
                guard let id = PolicyID(text) else {
                    problems.append(ImportProblem(line: line, field: "id", message: "id must be a policy id (a UUID), not '\(text)'"))
                    return
                }
                record.id = id
            }
            // Each key by itself, not a list of key paths: that list was made again for every row.
            for key in ["created_at", "modified_at"] {
                guard case .string(let text)? = object[key] else { continue }
                guard let time = Timestamp(rfc3339: text) else {
                    problems.append(ImportProblem(line: line, field: key, message: "\(key) must be an RFC 3339 time, not '\(text)'"))
                    return
                }
                if key == "created_at" { record.createdAt = time } else { record.modifiedAt = time }
            }
            records.append(record)
        } catch {
            problems.append(contentsOf: PolicyFileReader.problems(error, line: line))
        }
    }
}

/// An import file that cannot be read at all (as opposed to lines with problems).
public struct ImportFileError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
