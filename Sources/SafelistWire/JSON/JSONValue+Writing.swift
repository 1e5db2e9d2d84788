extension JSONValue: JSONWritable {
    /// Object members in key order: a body a client sends reads the same every time.
    public func write(to writer: inout JSONWriter) {
        switch self {
        case .null: writer.null()
        case .bool(let flag): writer.bool(flag)
        case .number(let number):
            if number.rounded() == number, abs(number) < 1e15 { writer.int(Int(number)) } else { writer.raw(Array("\(number)".utf8)) }
        case .string(let text): writer.string(text)
        case .array(let items): writer.array(items) { $1.write(to: &$0) }
        case .object(let members):
            writer.object { writer in
                for (key, value) in members.sorted(by: { $0.key < $1.key }) {
                    writer.key(key)
                    value.write(to: &writer)
                }
            }
        }
    }
}
