/// A Flux source revision (RFC-0005 `[<named pointer>@]<algo>:<hex>`, or the legacy
/// `<branch>/<40hex>` of Flux < 0.40), split into its named pointer, algorithm and hash.
public struct Revision: Sendable, Hashable, CustomStringConvertible {
    /// The written form this revision came in.
    public enum Format: Sendable, Hashable {
        /// RFC-0005: `main@sha1:…`, `sha1:…`, `latest@sha256:…`.
        case rfc0005
        /// Flux < 0.40: `main/<40hex>`, `HEAD/<40hex>`.
        case legacy
        /// A bare 40-hex commit sha.
        case bareSHA
    }

    /// Branch, tag or ref name before the hash (`main`, `feature/x`, `refs/pull/1/head`), if any.
    public var pointer: String?
    /// Hash algorithm, lower case (`sha1`, `sha256`, …).
    public var algorithm: String
    /// The hash in lower-case hex.
    public var hash: String
    /// The form it was written in.
    public var format: Format

    /// The git commit sha this revision names, or why it names none.
    public var commit: Result<String, NoCommit> {
        switch algorithm {
        case "sha1": return .success(hash)
        case "sha256": return .failure(.sha256Digest(self))
        default: return .failure(.unsupportedAlgorithm(algorithm))
        }
    }

    /// The canonical RFC-0005 form.
    public var description: String {
        (pointer.map { $0 + "@" } ?? "") + algorithm + ":" + hash
    }

    /// Parses a revision string. Never crashes on any input; junk is a `NoCommit` reason.
    public static func parse(_ text: String) -> Result<Revision, NoCommit> {
        if text.isEmpty { return .failure(.empty) }
        if text.utf8.count == 40, isHex(Substring(text)) {
            return .success(Revision(pointer: nil, algorithm: "sha1", hash: text.lowercased(), format: .bareSHA))
        }
        // RFC-0005: the pointer may itself contain `@` and `/`, so split at the LAST `@`.
        let pointerPart: Substring?
        let digestPart: Substring
        if let at = text.lastIndex(of: "@") {
            pointerPart = text[..<at]
            digestPart = text[text.index(after: at)...]
        } else {
            pointerPart = nil
            digestPart = Substring(text)
        }
        if let colon = digestPart.firstIndex(of: ":") {
            let algorithm = digestPart[..<colon].lowercased()
            let hash = digestPart[digestPart.index(after: colon)...]
            guard !algorithm.isEmpty, algorithm.utf8.allSatisfy({ isAlnum($0) }) else {
                return .failure(.malformed(text, "the algorithm before ':' must be letters and digits"))
            }
            guard !hash.isEmpty, isHex(hash) else {
                return .failure(.malformed(text, "the hash after '\(algorithm):' must be hexadecimal"))
            }
            if let expected = expectedLength[algorithm], hash.utf8.count != expected {
                return .failure(.malformed(text, "a \(algorithm) hash has \(expected) hex digits, not \(hash.utf8.count)"))
            }
            let pointer = pointerPart.flatMap { $0.isEmpty ? nil : String($0) }
            return .success(Revision(pointer: pointer, algorithm: algorithm, hash: hash.lowercased(), format: .rfc0005))
        }
        // Legacy: `<branch>/<40hex>`; the branch may contain `/`.
        if pointerPart == nil, let slash = text.lastIndex(of: "/") {
            let hash = text[text.index(after: slash)...]
            let pointer = text[..<slash]
            if hash.utf8.count == 40, isHex(hash), !pointer.isEmpty {
                return .success(Revision(pointer: String(pointer), algorithm: "sha1", hash: hash.lowercased(), format: .legacy))
            }
        }
        return .failure(.notARevision(text))
    }

    /// The branch or tag a revision text names (`main`, `v1.2.0`; `refs/heads/` and `refs/tags/`
    /// dropped), or nil when it names none (a commit pin, a pull-request ref, junk).
    public static func refName(_ text: String) -> String? {
        guard case .success(let revision) = parse(text), var pointer = revision.pointer, pointer != "HEAD" else { return nil }
        for prefix in ["refs/heads/", "refs/tags/"] where pointer.hasPrefix(prefix) { pointer.removeFirst(prefix.count) }
        return pointer.hasPrefix("refs/") ? nil : pointer
    }

    private static let expectedLength = ["sha1": 40, "sha256": 64, "sha384": 96, "sha512": 128]

    private static func isHex(_ s: Substring) -> Bool {
        s.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) || (65...70).contains($0) }
    }

    private static func isAlnum(_ c: UInt8) -> Bool {
        (48...57).contains(c) || (97...122).contains(c) || (65...90).contains(c)
    }
}

/// Why a revision names no git commit. Each case reads as a skip reason.
public enum NoCommit: Error, Sendable, Hashable, CustomStringConvertible {
    /// The revision is empty (the Kustomization has not applied anything yet).
    case empty
    /// Not a revision at all: a chart version, a bare branch name, …
    case notARevision(String)
    /// Looks like a revision but breaks the grammar.
    case malformed(String, String)
    /// A sha256 digest: an OCI artifact (its origin revision names the commit) or a sha256 git
    /// repository, which libgit2 1.5 cannot read.
    case sha256Digest(Revision)
    /// An algorithm that no git repository uses.
    case unsupportedAlgorithm(String)

    public var description: String {
        switch self {
        case .empty: return "no revision"
        case .notARevision(let text): return "'\(text)' is not a commit revision (expected [<ref>@]sha1:<40 hex> or <branch>/<40 hex>)"
        case .malformed(let text, let why): return "malformed revision '\(text)': \(why)"
        case .sha256Digest(let revision):
            return
                "'\(revision)' is a sha256 digest, not a git commit: for an OCI artifact fluxstamp "
                    + "uses its origin revision; sha256 git repositories are not supported (libgit2 1.5)"
        case .unsupportedAlgorithm(let algorithm): return "'\(algorithm)' digests do not name git commits"
        }
    }
}
