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
            var offset = 0
            if fields[0].hasPrefix("@") { offset = 1 }  // @cert-authority / @revoked markers
            guard fields.count >= offset + 3, fields[0] != "@revoked",
                let key = Data(base64Encoded: String(fields[offset + 2]))
            else { return nil }
            return Entry(
                hosts: fields[offset].split(separator: ",").map(String.init),
                keyType: String(fields[offset + 1]), key: Array(key))
        }
    }

    /// Whether `key` is an accepted key for `host` on `port` (22 = plain host name).
    public func accepts(host: String, port: Int = 22, key: [UInt8]) -> Bool {
        let name = port == 22 ? host.lowercased() : "[\(host.lowercased())]:\(port)"
        return entries.contains { $0.key == key && $0.hosts.contains { $0.lowercased() == name } }
    }
}
