import Crypto
import Foundation

/// How to authenticate to a git remote. Its description never shows a secret.
public enum GitCredentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// No credentials (public repositories, `file://`).
    case none
    /// HTTPS basic: a username with a password or token (GitHub: any username, token as password).
    case userPassword(username: String, password: String)
    /// HTTPS bearer token, sent as an `Authorization: Bearer` header.
    case bearerToken(String)
    /// SSH private key (OpenSSH format, as a file path) with an optional passphrase, and the
    /// `known_hosts` text the server's host key must appear in.
    case sshKey(username: String, privateKeyPath: String, passphrase: String?, knownHosts: String?)

    public var description: String {
        switch self {
        case .none: return "no credentials"
        case .userPassword(let username, _): return "username \(username) with password <redacted>"
        case .bearerToken: return "bearer token <redacted>"
        case .sshKey(let username, let path, _, let knownHosts):
            return "ssh key \(path) for \(username)\(knownHosts == nil ? " (no known_hosts)" : "")"
        }
    }

    public var debugDescription: String { description }
}

/// Host keys from OpenSSH `known_hosts` text, to check an SSH server's key.
///
/// Plain host patterns (`host`, `[host]:port`, comma-separated) are matched; hashed entries
/// (`|1|…`) and wildcards are not supported and never match.
public struct KnownHosts: Sendable {
    /// One accepted key.
    public struct Entry: Sendable, Equatable {
        /// Host names the key is valid for (`host` or `[host]:port`).
        public var hosts: [String]
        /// Key type, e.g. `ssh-ed25519`.
        public var keyType: String
        /// The raw public key blob (base64-decoded).
        public var key: [UInt8]
    }

    /// The parsed entries.
    public var entries: [Entry]

    /// Parses `known_hosts` text; comments, blank and malformed lines are skipped.
    public init(_ text: String) {
        entries = text.split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 3, !fields[0].hasPrefix("#") else { return nil }
            // @revoked keys are never accepted; @cert-authority keys sign host certificates, which
            // the host key check (a raw key from libgit2) cannot verify: neither is a host key.
            guard !fields[0].hasPrefix("@"), let key = Data(base64Encoded: String(fields[2])) else { return nil }
            return Entry(hosts: fields[0].split(separator: ",").map(String.init), keyType: String(fields[1]), key: Array(key))
        }
    }

    /// Whether `key` is an accepted key for `host` on `port` (22 = plain host name), as OpenSSH
    /// reads known_hosts: plain names, hashed names (`|1|salt|hash`, what `ssh-keyscan -H` and
    /// `HashKnownHosts yes` write), `*`/`?` wildcards, and `!` negations that exclude a host.
    public func accepts(host: String, port: Int = 22, key: [UInt8]) -> Bool {
        let name = port == 22 ? host.lowercased() : "[\(host.lowercased())]:\(port)"
        return entries.contains { entry in
            guard entry.key == key else { return false }
            let negated = entry.hosts.filter { $0.hasPrefix("!") }.map { String($0.dropFirst()) }
            if negated.contains(where: { Self.matches($0, name) }) { return false }
            return entry.hosts.contains { !$0.hasPrefix("!") && Self.matches($0, name) }
        }
    }

    /// One host pattern against a host name (lower case, `[host]:port` form off port 22).
    static func matches(_ pattern: String, _ name: String) -> Bool {
        if pattern.hasPrefix("|1|") {
            // |1|base64(salt)|base64(HMAC-SHA1(key: salt, message: name))
            let parts = pattern.split(separator: "|", omittingEmptySubsequences: true)
            guard parts.count == 3, let salt = Data(base64Encoded: String(parts[1])),
                let hash = Data(base64Encoded: String(parts[2]))
            else { return false }
            let code = HMAC<Insecure.SHA1>.authenticationCode(for: Data(name.utf8), using: SymmetricKey(data: salt))
            return Data(code) == hash
        }
        return wildcard(Array(pattern.lowercased()), Array(name))
    }

    /// `*` any run of characters, `?` one character, as in OpenSSH's match_pattern.
    static func wildcard(_ pattern: [Character], _ text: [Character]) -> Bool {
        var p = 0, t = 0, star = -1, resume = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == "?" || pattern[p] == text[t] {
                p += 1
                t += 1
            } else if p < pattern.count, pattern[p] == "*" {
                star = p
                resume = t
                p += 1
            } else if star >= 0 {
                p = star + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
