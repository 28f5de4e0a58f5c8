/// Repository addresses compared the way fluxstamp shares one fetch between sources.
public enum RepositoryURL {
    /// A normalised form: scheme and host lower-cased, `ssh://git@host/x` and `git@host:x`
    /// mapped to `https://host/x`, trailing `/` and `.git` removed. Two URLs that name the same
    /// repository this way share one mirror and one fetch per run.
    public static func normalised(_ url: String) -> String {
        var text = url.trimmingCharacters(in: " \t\n")
        // scp-like syntax: git@github.com:org/repo.git
        if !text.contains("://"), let colon = text.firstIndex(of: ":"), let at = text.firstIndex(of: "@"), at < colon {
            text = "ssh://" + text[text.index(after: at)..<colon] + "/" + text[text.index(after: colon)...]
        }
        var scheme = "", rest = Substring(text)
        if let range = text.range(of: "://") {
            scheme = text[..<range.lowerBound].lowercased()
            rest = text[range.upperBound...]
        }
        if scheme == "ssh" || scheme == "git+ssh" || scheme == "http" { scheme = "https" }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        var host = rest[..<slash].lowercased()
        if let at = host.lastIndex(of: "@") { host = String(host[host.index(after: at)...]) }
        if scheme == "https", host.hasSuffix(":22") { host.removeLast(3) }
        var path = String(rest[slash...])
        while path.hasSuffix("/") { path.removeLast() }
        if path.hasSuffix(".git") { path.removeLast(4) }
        while path.hasSuffix("/") { path.removeLast() }
        return scheme.isEmpty ? host + path : "\(scheme)://\(host)\(path)"
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        var s = Substring(self)
        while let f = s.first, chars.contains(f) { s = s.dropFirst() }
        while let l = s.last, chars.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
