import Foundation

/// A git repository address (https, http, ssh, or scp-like `git@host:path`), parsed once and
/// shared by git (which mirror a URL maps to) and the forges (which API serves it).
///
/// Parsing follows notification-controller: ssh becomes https (an ssh port is not an https port,
/// so it is dropped), user information is dropped, a trailing `/` and `.git` are stripped, and a
/// query or fragment is ignored. `key` is the identity two addresses are compared by.
public struct RepositoryAddress: Sendable, Hashable, CustomStringConvertible {
    /// `https` or `http` (ssh and git schemes become `https`).
    public var scheme: String
    /// The host, lower-cased, with `:port` when an http(s) address had one.
    public var host: String
    /// The repository path with a leading `/`, without a trailing `/` or `.git`.
    public var path: String

    /// The host without its port.
    public var hostName: String { host.split(separator: ":").first.map(String.init) ?? host }

    /// The address as compared: `https://host/path`, with `http` counted as `https`, so that two
    /// spellings of one repository share one mirror, one fetch and one forge client.
    public var key: String { "https://\(host)\(path)" }

    /// `scheme://host/path`.
    public var description: String { "\(scheme)://\(host)\(path)" }

    /// Parses an address; nil when it is not a git address (no host, an unknown scheme).
    public init?(_ raw: String) {
        let text = raw.trimmingCharacters(in: " \t\r\n")
        if let schemeEnd = text.range(of: "://") {
            let scheme = text[..<schemeEnd.lowerBound].lowercased()
            var rest = text[schemeEnd.upperBound...]
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            var authority = rest[..<slash]
            rest = rest[slash...]
            if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
            guard !authority.isEmpty else { return nil }
            switch scheme {
            case "https", "http":
                self.scheme = scheme
                self.host = authority.lowercased()
            case "ssh", "git", "git+ssh", "ssh+git":
                self.scheme = "https"
                self.host = String(authority.split(separator: ":").first ?? authority).lowercased()
            default:
                return nil
            }
            self.path = String(rest)
        } else if let colon = text.firstIndex(of: ":") {
            // scp-like: [user@]host:path
            var authority = text[..<colon]
            if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
            guard !authority.isEmpty, !authority.contains("/") else { return nil }
            self.scheme = "https"
            self.host = authority.lowercased()
            self.path = "/" + text[text.index(after: colon)...]
        } else {
            return nil
        }
        if let query = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = String(path[..<query]) }
        while path.hasSuffix("/") { path.removeLast() }
        if path.hasSuffix(".git") { path.removeLast(4) }
        while path.hasSuffix("/") { path.removeLast() }
        if !path.isEmpty, !path.hasPrefix("/") { path = "/" + path }
    }

    /// The comparison key of `raw`, or `raw` trimmed when it is not a git address (a local path
    /// given with `--repo` compares as itself).
    public static func key(_ raw: String) -> String {
        RepositoryAddress(raw)?.key ?? raw.trimmingCharacters(in: " \t\r\n")
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        var text = Substring(self)
        while let first = text.first, characters.contains(first) { text = text.dropFirst() }
        while let last = text.last, characters.contains(last) { text = text.dropLast() }
        return String(text)
    }
}
