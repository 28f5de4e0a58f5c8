import Foundation

/// Where a ledger lives: `sqlite:PATH` (embedded, one cluster) or `postgres://user:pass@host:port/db` (shared).
///
/// The password is kept apart from `description`, so a URL can be logged or put in an error as it is.
public struct LedgerURL: Sendable, Hashable, CustomStringConvertible {
    /// The backend and its address.
    public enum Location: Sendable, Hashable {
        /// A SQLite file (created when missing).
        case sqlite(path: String)
        /// A PostgreSQL database.
        case postgres(PostgresAddress)
    }

    /// A PostgreSQL server, account and database.
    public struct PostgresAddress: Sendable, Hashable {
        /// Host name or IP address.
        public var host: String
        /// TCP port (5432 when the URL names none).
        public var port: Int
        /// Account name.
        public var user: String
        /// Password, never shown in descriptions or errors.
        public var password: String?
        /// Database name (the user name when the URL names none, as libpq does).
        public var database: String
        /// `sslmode` from the query string: `disable`, `prefer` (default), `require` or `verify-full`.
        public var tls: TLSMode
    }

    /// Whether the connection to PostgreSQL uses TLS.
    public enum TLSMode: String, Sendable, Hashable {
        /// Plain TCP (loopback, a trusted network).
        case disable
        /// TLS when the server offers it.
        case prefer
        /// TLS or no connection, without checking the certificate (libpq's `require`).
        case require
        /// TLS with the certificate checked against the system's trust roots and the host name.
        case verifyFull = "verify-full"
    }

    /// The parsed location.
    public let location: Location

    /// Parses `sqlite:PATH`, `sqlite://PATH`, `postgres://…` or `postgresql://…`.
    public init(_ text: String) throws(LedgerError) {
        if text.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }
            guard !path.isEmpty else {
                throw .invalidURL(redacted: text, reason: "the SQLite path is empty; write sqlite:/var/lib/fluxstamp/ledger.db")
            }
            location = .sqlite(path: path)
            return
        }
        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") else {
            throw .invalidURL(
                redacted: Self.redact(text),
                reason: "unknown scheme; write sqlite:PATH or postgres://user:password@host:port/database"
            )
        }
        guard let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
            throw .invalidURL(redacted: Self.redact(text), reason: "no host; write postgres://user:password@host:port/database")
        }
        guard let user = components.user, !user.isEmpty else {
            throw .invalidURL(redacted: Self.redact(text), reason: "no user; write postgres://user:password@host:port/database")
        }
        var database = components.path
        if database.hasPrefix("/") { database.removeFirst() }
        var tls = TLSMode.prefer
        for item in components.queryItems ?? [] where item.name == "sslmode" {
            switch item.value ?? "" {
            case "disable": tls = .disable
            case "allow", "prefer": tls = .prefer
            case "require": tls = .require
            case "verify-ca", "verify-full": tls = .verifyFull
            case let other:
                throw .invalidURL(
                    redacted: Self.redact(text), reason: "sslmode \(other) is not one of disable, prefer, require, verify-full"
                )
            }
        }
        location = .postgres(
            PostgresAddress(
                host: host,
                port: components.port ?? 5432,
                user: user.removingPercentEncoding ?? user,
                password: components.password.map { $0.removingPercentEncoding ?? $0 },
                database: database.isEmpty ? user : (database.removingPercentEncoding ?? database),
                tls: tls
            ))
    }

    /// A SQLite ledger at `path`.
    public init(sqlitePath path: String) {
        location = .sqlite(path: path)
    }

    init(location: Location) {
        self.location = location
    }

    /// The URL with the password replaced by `***`: safe for logs and errors.
    public var description: String {
        switch location {
        case .sqlite(let path): return "sqlite:\(path)"
        case .postgres(let address):
            let secret = address.password == nil ? "" : ":***"
            let mode = address.tls == .prefer ? "" : "?sslmode=\(address.tls.rawValue)"
            return "postgres://\(address.user)\(secret)@\(address.host):\(address.port)/\(address.database)\(mode)"
        }
    }

    /// Hides whatever sits between `://user:` and `@` in text that did not parse.
    static func redact(_ text: String) -> String {
        guard let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].lastIndex(of: "@") else { return text }
        let credentials = text[scheme.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }
}
