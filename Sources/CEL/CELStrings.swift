/// The string functions of cel-go's strings extension, on code points (CEL's string positions are code points).
enum CELStrings {
    typealias Scalars = [Unicode.Scalar]

    private static func string(_ scalars: some Sequence<Unicode.Scalar>) -> String {
        var result = ""
        result.unicodeScalars.append(contentsOf: scalars)
        return result
    }

    private static func outOfRange(_ position: Int64) -> CELError {
        CELError(.indexOutOfRange, "index out of range: \(position)")
    }

    static func index(of needle: Scalars, in haystack: Scalars, from start: Int) -> Int? {
        if needle.isEmpty { return start }
        guard haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        for i in start...(haystack.count - needle.count) where haystack[i..<(i + needle.count)].elementsEqual(needle) {
            return i
        }
        return nil
    }

    static func charAt(_ scalars: Scalars, _ position: Int64) throws(CELError) -> String {
        guard position >= 0, position <= scalars.count else { throw outOfRange(position) }
        return position == scalars.count ? "" : string([scalars[Int(position)]])
    }

    /// cel-spec's conformance tests and cel-go (v0.27, what notification-controller runs) disagree on offsets
    /// past the end of the string (an error versus -1 or the offset itself), so those are refused, not answered.
    private static func disputedOffset(_ function: String, _ offset: Int64, _ count: Int) -> CELError {
        .unsupported("\(function)() with offset \(offset) outside the string (length \(count)): cel-spec and cel-go disagree")
    }

    static func indexOf(_ scalars: Scalars, _ needle: Scalars, from offset: Int64?) throws(CELError) -> Int64 {
        let offset = offset ?? 0
        if needle.isEmpty, offset < 0 || offset > scalars.count { throw disputedOffset("indexOf", offset, scalars.count) }
        guard offset >= 0 else { throw outOfRange(offset) }
        if needle.isEmpty { return offset }
        guard offset < scalars.count else { throw disputedOffset("indexOf", offset, scalars.count) }
        return index(of: needle, in: scalars, from: Int(offset)).map(Int64.init) ?? -1
    }

    static func lastIndexOf(_ scalars: Scalars, _ needle: Scalars, from offset: Int64?) throws(CELError) -> Int64 {
        if needle.isEmpty {
            if let offset, offset < 0 || offset > scalars.count { throw disputedOffset("lastIndexOf", offset, scalars.count) }
            return offset ?? Int64(scalars.count)
        }
        if let offset, offset < 0 { throw outOfRange(offset) }
        if let offset, offset >= scalars.count { throw disputedOffset("lastIndexOf", offset, scalars.count) }
        let last = offset ?? Int64(scalars.count - 1)
        guard needle.count <= scalars.count else { return -1 }
        var i = min(Int(last), scalars.count - needle.count)
        while i >= 0 {
            if scalars[i..<(i + needle.count)].elementsEqual(needle) { return Int64(i) }
            i -= 1
        }
        return -1
    }

    static func mapASCII(_ text: String, upper: Bool) -> String {
        string(
            text.unicodeScalars.map { scalar in
                if upper, scalar >= "a", scalar <= "z" { return Unicode.Scalar(scalar.value - 32)! }
                if !upper, scalar >= "A", scalar <= "Z" { return Unicode.Scalar(scalar.value + 32)! }
                return scalar
            })
    }

    /// Go's `strings.Replace`: a negative limit replaces all; an empty `old` matches before every code point and at the end.
    static func replace(_ scalars: Scalars, _ old: Scalars, with new: String, limit: Int64) -> String {
        var result = ""
        var replaced: Int64 = 0
        var i = 0
        if old.isEmpty {
            while replaced != limit, i <= scalars.count {
                result += new
                replaced += 1
                if i < scalars.count { result.unicodeScalars.append(scalars[i]) }
                i += 1
            }
            if i < scalars.count { result.unicodeScalars.append(contentsOf: scalars[i...]) }
            return result
        }
        while replaced != limit, let hit = index(of: old, in: scalars, from: i) {
            result.unicodeScalars.append(contentsOf: scalars[i..<hit])
            result += new
            i = hit + old.count
            replaced += 1
        }
        result.unicodeScalars.append(contentsOf: scalars[i...])
        return result
    }

    /// Go's `strings.SplitN`: limit 0 gives no pieces, a negative limit all pieces; an empty separator splits code points.
    static func split(_ scalars: Scalars, _ separator: Scalars, limit: Int64) -> [String] {
        if limit == 0 { return [] }
        if separator.isEmpty {
            let count = limit < 0 ? scalars.count : min(scalars.count, Int(limit))
            guard count > 0 else { return [] }
            var pieces = scalars[0..<(count - 1)].map { string([$0]) }
            pieces.append(string(scalars[(count - 1)...]))
            return pieces
        }
        var pieces: [String] = []
        var i = 0
        while limit < 0 || pieces.count < limit - 1, let hit = index(of: separator, in: scalars, from: i) {
            pieces.append(string(scalars[i..<hit]))
            i = hit + separator.count
        }
        pieces.append(string(scalars[i...]))
        return pieces
    }

    static func substring(_ scalars: Scalars, from start: Int64, to end: Int64?) throws(CELError) -> String {
        guard let end else {
            guard start >= 0, start <= scalars.count else { throw outOfRange(start) }
            return string(scalars[Int(start)...])
        }
        guard start <= end else { throw CELError(.indexOutOfRange, "invalid substring range. start: \(start), end: \(end)") }
        guard start >= 0, start <= scalars.count else { throw outOfRange(start) }
        guard end >= 0, end <= scalars.count else { throw outOfRange(end) }
        return string(scalars[Int(start)..<Int(end)])
    }

    /// `strings.quote`: a double-quoted CEL string literal with the escapes CEL defines.
    static func quote(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\u{07}": result += "\\a"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{0B}": result += "\\v"
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// Go's `unicode.IsSpace` (what `strings.TrimSpace` trims).
    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    static func trim(_ scalars: Scalars) -> String {
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return string(scalars[first...last])
    }
}
