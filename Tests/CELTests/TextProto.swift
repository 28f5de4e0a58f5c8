/// A minimal reader of protobuf text format, enough for cel-spec's conformance `.textproto` files.
indirect enum TextProto {
    /// A scalar token as written: a decoded string (bytes), or a bare word/number.
    case string([UInt8])
    case word(String)
    case message([TextProtoField])

    /// All values of a field of a message.
    func all(_ name: String) -> [TextProto] {
        guard case let .message(fields) = self else { return [] }
        return fields.filter { $0.name == name }.map(\.value)
    }

    /// The first value of a field of a message.
    subscript(_ name: String) -> TextProto? { all(name).first }

    var text: String? {
        switch self {
        case let .string(bytes): String(decoding: bytes, as: UTF8.self)
        case let .word(word): word
        case .message: nil
        }
    }

    var bytes: [UInt8]? {
        if case let .string(bytes) = self { return bytes }
        return nil
    }

    var isTrue: Bool { text == "true" || text == "1" }

    static func parse(_ source: String) throws -> TextProto {
        var parser = TextProtoParser(Array(source.utf8))
        return try parser.fields(until: nil)
    }
}

/// One field of a text-format message.
struct TextProtoField {
    var name: String
    var value: TextProto
}

struct TextProtoError: Error, CustomStringConvertible {
    var description: String
}

private struct TextProtoParser {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    private func fail(_ why: String) -> TextProtoError { TextProtoError(description: "textproto: \(why) at byte \(position)") }

    private mutating func skipTrivia() {
        while position < bytes.count {
            let c = bytes[position]
            if c == UInt8(ascii: "#") {
                while position < bytes.count, bytes[position] != 0x0A { position += 1 }
            } else if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {
                position += 1
            } else {
                return
            }
        }
    }

    private static func isWordByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x2E || c == 0x2D
            || c == 0x2B
    }

    mutating func fields(until close: UInt8?) throws -> TextProto {
        var fields: [TextProtoField] = []
        while true {
            skipTrivia()
            guard position < bytes.count else {
                if close != nil { throw fail("unterminated message") }
                return .message(fields)
            }
            if let close, bytes[position] == close {
                position += 1
                return .message(fields)
            }
            let name: String
            if bytes[position] == UInt8(ascii: "[") {
                let start = position
                while position < bytes.count, bytes[position] != UInt8(ascii: "]") { position += 1 }
                position += 1
                name = String(decoding: bytes[start..<position], as: UTF8.self)
            } else {
                let start = position
                while position < bytes.count, Self.isWordByte(bytes[position]) { position += 1 }
                guard position > start else { throw fail("field name expected") }
                name = String(decoding: bytes[start..<position], as: UTF8.self)
            }
            skipTrivia()
            if position < bytes.count, bytes[position] == UInt8(ascii: ":") {
                position += 1
                skipTrivia()
            }
            fields.append(TextProtoField(name: name, value: try value()))
            skipTrivia()
            if position < bytes.count, bytes[position] == UInt8(ascii: ",") || bytes[position] == UInt8(ascii: ";") { position += 1 }
        }
    }

    private mutating func value() throws -> TextProto {
        guard position < bytes.count else { throw fail("value expected") }
        let c = bytes[position]
        if c == UInt8(ascii: "{") || c == UInt8(ascii: "<") {
            position += 1
            return try fields(until: c == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: ">"))
        }
        if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
            var result: [UInt8] = []
            // Adjacent string literals concatenate.
            while position < bytes.count, bytes[position] == UInt8(ascii: "\"") || bytes[position] == UInt8(ascii: "'") {
                result += try string()
                skipTrivia()
            }
            return .string(result)
        }
        let start = position
        while position < bytes.count, Self.isWordByte(bytes[position]) { position += 1 }
        guard position > start else { throw fail("unexpected character") }
        return .word(String(decoding: bytes[start..<position], as: UTF8.self))
    }

    private static func hex(_ c: UInt8) -> UInt32? {
        switch c {
        case 0x30...0x39: UInt32(c - 0x30)
        case 0x61...0x66: UInt32(c - 0x61 + 10)
        case 0x41...0x46: UInt32(c - 0x41 + 10)
        default: nil
        }
    }

    private mutating func string() throws -> [UInt8] {
        let quote = bytes[position]
        position += 1
        var out: [UInt8] = []
        while true {
            guard position < bytes.count else { throw fail("unterminated string") }
            let c = bytes[position]
            position += 1
            if c == quote { return out }
            guard c == UInt8(ascii: "\\") else {
                out.append(c)
                continue
            }
            guard position < bytes.count else { throw fail("unterminated escape") }
            let e = bytes[position]
            position += 1
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "a"): out.append(0x07)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "v"): out.append(0x0B)
            case UInt8(ascii: "x"), UInt8(ascii: "X"):
                var value: UInt32 = 0
                var count = 0
                while count < 2, position < bytes.count, let d = Self.hex(bytes[position]) {
                    value = value * 16 + d
                    position += 1
                    count += 1
                }
                guard count > 0 else { throw fail("bad \\x escape") }
                out.append(UInt8(value))
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = UInt32(e - 0x30)
                var count = 1
                while count < 3, position < bytes.count, (0x30...0x37).contains(bytes[position]) {
                    value = value * 8 + UInt32(bytes[position] - 0x30)
                    position += 1
                    count += 1
                }
                out.append(UInt8(truncatingIfNeeded: value))
            case UInt8(ascii: "u"), UInt8(ascii: "U"):
                var value: UInt32 = 0
                for _ in 0..<(e == UInt8(ascii: "u") ? 4 : 8) {
                    guard position < bytes.count, let d = Self.hex(bytes[position]) else { throw fail("bad unicode escape") }
                    value = value * 16 + d
                    position += 1
                }
                guard let scalar = Unicode.Scalar(value) else { throw fail("bad code point") }
                out += Array(String(scalar).utf8)
            default: out.append(e)  // \\ \' \" \?
            }
        }
    }
}
