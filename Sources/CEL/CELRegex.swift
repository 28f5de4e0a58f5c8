/// `matches`: RE2 semantics through Swift's `Regex`, refusing what the two engines disagree on.
///
/// Swift's engine is a backtracking superset of RE2; patterns RE2 rejects (lookaround, backreferences,
/// possessive or atomic groups, extra flags, POSIX classes) are reported as unsupported rather than
/// answered, and so are texts whose line breaks other than `\n` would make `.`, `^`, `$` or `\s` differ.
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
}
