import Foundation
import Logging
import NIOSSL
import PostgresNIO

/// A ledger in a PostgreSQL database, over one connection (a run is a short batch: no pool needed).
struct PostgresBackend: LedgerBackend {
    let connection: PostgresConnection
    let logger: Logger
    var dialect: Dialect { .postgres }

    static func connect(_ address: LedgerURL.PostgresAddress, logger: Logger) async throws -> PostgresBackend {
        let tls: PostgresConnection.Configuration.TLS
        switch address.tls {
        case .disable:
            tls = .disable
        case .prefer, .require:
            // libpq's prefer and require encrypt without checking the certificate; verify-full checks it.
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            let context = try NIOSSLContext(configuration: configuration)
            tls = address.tls == .prefer ? .prefer(context) : .require(context)
        case .verifyFull:
            tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        // libpq's convention: a URL without a password takes it from PGPASSWORD, so a Secret can hold it apart.
        let password = address.password ?? ProcessInfo.processInfo.environment["PGPASSWORD"]
        let configuration = PostgresConnection.Configuration(
            host: address.host, port: address.port, username: address.user, password: password,
            database: address.database, tls: tls
        )
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        let backend = PostgresBackend(connection: connection, logger: logger)
        do {
            // The same durability as SQLite in WAL mode with synchronous=NORMAL: a commit does not wait for its WAL
            // flush, so a server crash can lose the last few hundred milliseconds of commits, but never half of one
            // (transactions stay atomic and the database consistent). A lost run is re-observed by the next one.
            try await backend.execute("SET synchronous_commit = off")
            try await backend.execute("SET application_name = 'fluxstamp'")
        } catch {
            await backend.close()
            throw error
        }
        return backend
    }

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [[SQLValue]] {
        var bindings = PostgresBindings(capacity: binds.count)
        for value in binds {
            switch value {
            case .int(let number): bindings.append(number)
            case .text(let text): bindings.append(text)
            case .null: bindings.appendNull()
            case .texts(let texts): bindings.append(texts)
            case .ints(let numbers): bindings.append(numbers)
            }
        }
        let rows = try await connection.query(PostgresQuery(unsafeSQL: Self.numbered(sql), binds: bindings), logger: logger)
        var result: [[SQLValue]] = []
        for try await row in rows {
            var values: [SQLValue] = []
            for cell in row {
                guard cell.bytes != nil else {
                    values.append(.null)
                    continue
                }
                switch cell.dataType {
                case .int2, .int4, .int8: values.append(.int(try cell.decode(Int64.self)))
                default: values.append(.text(try cell.decode(String.self)))
                }
            }
            result.append(values)
        }
        return result
    }

    func close() async {
        try? await connection.close()
    }

    /// Rewrites `?` placeholders as `$1`, `$2`, … (the ledger's SQL has no `?` inside literals).
    static func numbered(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.utf8.count + 64)
        var index = 0
        for character in sql {
            if character == "?" {
                index += 1
                out += "$\(index)"
            } else {
                out.append(character)
            }
        }
        return out
    }
}

/// The server's own words for a failure (PSQLError's description hides them to avoid leaking data).
func describe(_ error: any Error) -> String {
    if let error = error as? PSQLError {
        if let info = error.serverInfo {
            let state = info[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            return (info[.message] ?? "server error") + state
        }
        if let underlying = error.underlying { return "\(error.code): \(underlying)" }
        return "\(error.code)"
    }
    return "\(error)"
}
