/// `matches`: RE2 semantics through Swift's `Regex`, refusing what the two engines disagree on.
///
/// Swift's engine is a backtracking superset of RE2; patterns RE2 rejects (lookaround, backreferences,
/// possessive or atomic groups, extra flags, POSIX classes) are reported as unsupported rather than
/// answered, and so are texts whose line breaks other than `\n` would make `.`, `^`, `$` or `\s` differ,
/// and nested repetitions, which RE2 matches in linear time and a backtracking engine may not.
enum CELRegex {
    /// Constructs RE2 lacks (or spells differently) and Swift accepts.
    private static let refusedConstructs = [
        "(?=", "(?!", "(?<=", "(?<!", "(?>", "(?#", "(?|", "(?'", "(?x", "(?n", "(?w", "(?X", "(?u",
        "*+", "++", "?+", "}+", "[:", "{,",
        "\\k", "\\g", "\\R", "\\X", "\\h", "\\H", "\\V", "\\N", "\\K", "\\G", "\\Z", "\\e", "\\o", "\\O", "\\y", "\\Y",
        "\\c", "\\C", "\\u", "\\U", "\\1", "\\2", "\\3", "\\4", "\\5", "\\6", "\\7", "\\8", "\\9",
    ]

    private static let unusualLineBreaks: Set<Unicode.Scalar> = ["\r", "\u{0B}", "\u{0C}", "\u{85}", "\u{2028}", "\u{2029}"]

    static func matches(_ text: String, pattern: String) throws(CELError) -> Bool {
        // A backslash pair is skipped as a unit, so `\\(?=` is a literal backslash and not a lookahead.
        let scalars = Array(pattern.unicodeScalars)
        var i = 0
        var plain = ""  // the pattern with escaped pairs kept, used for the substring checks
        while i < scalars.count {
            if scalars[i] == "\\", i + 1 < scalars.count {
                if scalars[i + 1] == "\\" {
                    plain += "__"
                } else {
                    plain.unicodeScalars.append(contentsOf: scalars[i...(i + 1)])
                }
                i += 2
                continue
            }
            plain.unicodeScalars.append(scalars[i])
            i += 1
        }
        for construct in refusedConstructs where plain.contains(construct) {
            throw .unsupported("regular expression construct '\(construct)' in matches() (RE2 and Swift Regex differ)")
        }
        for group in plain.ranges(of: "(?") {
            // Named groups pass; flag groups may only use RE2's flags i, m, s (U and Swift's others are refused).
            let rest = plain[group.upperBound...].prefix { $0 != ")" && $0 != ":" }
            if rest.hasPrefix("P<") || rest.hasPrefix("<") { continue }
            if !rest.allSatisfy({ "ims-".contains($0) }) {
                throw .unsupported("regular expression flags '(?\(rest)' in matches()")
            }
        }
        if hasNestedRepetition(Array(plain.unicodeScalars)) {
            throw .unsupported("nested repetition such as '(a+)*' in matches() (Swift's backtracking engine may take exponential time)")
        }
        if text.unicodeScalars.contains(where: unusualLineBreaks.contains),
            plain.contains(".") || plain.contains("^") || plain.contains("$") || plain.contains("\\s") || plain.contains("\\S")
        {
            throw .unsupported("matches() on text with line breaks other than \\n (RE2 and Swift Regex differ)")
        }
        if plain.contains("$"), text.hasSuffix("\n") {
            throw .unsupported("'$' in matches() on text ending in a newline (RE2 and Swift Regex differ)")
        }
        let regex: Regex<AnyRegexOutput>
        do {
            regex = try Regex(pattern)
                .matchingSemantics(.unicodeScalar)
                .asciiOnlyDigits()
                .asciiOnlyWhitespace()
                .asciiOnlyWordCharacters()
                .wordBoundaryKind(.simple)
        } catch {
            throw CELError(.invalidArgument, "invalid regular expression '\(pattern)': \(error)")
        }
        return text.contains(regex)
    }

    /// Whether a repeated group (`*`, `+`, `{…}` after `)`) contains a repetition itself: RE2 runs such a
    /// pattern in linear time, Swift's backtracking engine may take exponential time.
    private static func hasNestedRepetition(_ pattern: [Unicode.Scalar]) -> Bool {
        var groups: [Bool] = []  // per open group: whether it contains a repetition
        var inClass = false
        var i = 0
        while i < pattern.count {
            let c = pattern[i]
            if c == "\\" {
                i += 2
                continue
            }
            if inClass {
                if c == "]" { inClass = false }
                i += 1
                continue
            }
            switch c {
            case "[":
                inClass = true
                // A ']' first in a class (after an optional '^') is literal.
                if i + 1 < pattern.count, pattern[i + 1] == "^" { i += 1 }
                if i + 1 < pattern.count, pattern[i + 1] == "]" { i += 1 }
            case "(":
                groups.append(false)
            case ")":
                let inner = groups.popLast() ?? false
                if inner, i + 1 < pattern.count, "*+{".unicodeScalars.contains(pattern[i + 1]) { return true }
                if inner, !groups.isEmpty { groups[groups.count - 1] = true }
            case "*", "+", "{":
                if !groups.isEmpty { groups[groups.count - 1] = true }
            default:
                break
            }
            i += 1
        }
        return false
    }
}
