import Logging
import NIOConcurrencyHelpers
import NIOPosix
import SQLiteNIO

/// A ledger in a SQLite file (sqlite-nio, which bundles its own SQLite, so no system library is needed).
struct SQLiteBackend: LedgerBackend {
    let connection: SQLiteConnection
    /// A thread of its own: a statement waiting on the busy timeout blocks its thread, and on the shared pool two
    /// such waits would starve the connection holding the lock (a deadlock until the timeout).
    let thread: NIOThreadPool
    var dialect: Dialect { .sqlite }

    static func open(path: String, logger: Logger) async throws -> SQLiteBackend {
        let thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(
                storage: .file(path: path), threadPool: thread, logger: logger, on: MultiThreadedEventLoopGroup.singleton.any()
            )
        } catch {
            try? await thread.shutdownGracefully()
            throw error
        }
        let backend = SQLiteBackend(connection: connection, thread: thread)
        // Wait up to 30 s for another process's write transaction instead of failing with SQLITE_BUSY.
        // This replaces sqlite-nio's default handler, which waits forever.
        try await backend.execute("PRAGMA busy_timeout = 30000")
        return backend
    }

    /// Turns on WAL (readers do not block the writer, two overlapping runs both proceed) and foreign keys.
    /// Called only once the file is known to be a ledger: switching to WAL rewrites the file header.
    func prepareForWrites() async throws {
        try await execute("PRAGMA journal_mode = WAL")
        try await execute("PRAGMA synchronous = NORMAL")
        try await execute("PRAGMA foreign_keys = ON")
    }

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [[SQLValue]] {
        let rows = NIOLockedValueBox<[[SQLValue]]>([])
        let data: [SQLiteData] = try binds.map {
            switch $0 {
            case .int(let value): .integer(Int(value))
            case .text(let value): .text(value)
            case .null: .null
            case .texts, .ints: throw ArrayParameterError()
            }
        }
        try await connection.query(sql, data) { row in
            let values: [SQLValue] = row.columns.map {
                switch $0.data {
                case .integer(let value): .int(Int64(value))
                case .float(let value): .int(Int64(value))
                case .text(let value): .text(value)
                case .blob, .null: .null
                }
            }
            rows.withLockedValue { $0.append(values) }
        }
        return rows.withLockedValue { $0 }
    }

    func close() async {
        try? await connection.close()
        try? await thread.shutdownGracefully()
    }
}

/// SQLite has no array parameters; only PostgreSQL statements use them.
struct ArrayParameterError: Error, CustomStringConvertible {
    var description: String { "an array parameter was bound to a SQLite statement (a fluxstamp bug)" }
}
