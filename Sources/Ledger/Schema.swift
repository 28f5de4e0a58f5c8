/// The ledger's tables, as numbered migrations. Version N's statements turn a version N-1 ledger into version N;
/// never edit a released migration, add the next one.
enum Schema {
    /// The newest version this build writes and reads.
    static let latest = 2

    /// The value of the `format` row that marks a database as a fluxstamp ledger.
    static let format = "fluxstamp-ledger"

    /// Statements of each migration, by target version.
    static func migration(to version: Int, dialect: Dialect) -> [String] {
        switch version {
        case 1: return version1(dialect)
        case 2: return version2(dialect)
        default: return []
        }
    }

    private static func version1(_ dialect: Dialect) -> [String] {
        [
            // Marks the database as a ledger and records its schema version; read before anything is written.
            "CREATE TABLE fluxstamp_ledger (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "INSERT INTO fluxstamp_ledger (key, value) VALUES ('format', '\(format)'), ('schema_version', '0')",
            // One row per run, inserted when it begins (so a killed run stays visible with finished_ms NULL).
            """
            CREATE TABLE runs (
                id \(dialect.identityKey),
                cluster TEXT NOT NULL,
                version TEXT NOT NULL,
                started_ms BIGINT NOT NULL,
                finished_ms BIGINT,
                outcome TEXT,
                observed BIGINT NOT NULL DEFAULT 0,
                planned BIGINT NOT NULL DEFAULT 0,
                written BIGINT NOT NULL DEFAULT 0,
                unchanged BIGINT NOT NULL DEFAULT 0,
                failed BIGINT NOT NULL DEFAULT 0
            )
            """,
            "CREATE INDEX runs_cluster_started ON runs (cluster, started_ms)",
            // One row per fact; the key makes a re-observed fact update first/last seen instead of adding a row.
            """
            CREATE TABLE observations (
                cluster TEXT NOT NULL,
                namespace TEXT NOT NULL,
                name TEXT NOT NULL,
                revision TEXT NOT NULL,
                outcome TEXT NOT NULL CHECK (outcome IN ('succeeded', 'failed')),
                sha TEXT,
                reason TEXT NOT NULL,
                message TEXT NOT NULL,
                time_ms BIGINT,
                origin TEXT NOT NULL,
                first_run BIGINT NOT NULL,
                first_seen_ms BIGINT NOT NULL,
                last_run BIGINT NOT NULL,
                last_seen_ms BIGINT NOT NULL,
                PRIMARY KEY (cluster, namespace, name, revision, outcome)
            )
            """,
            // No index on last_seen_ms: every run updates it on every fact it sees, and an index there would turn
            // those updates into index writes (and, in PostgreSQL, rule out HOT updates). Pruning scans instead.
            // Append-only: every status fluxstamp wrote, with the run that wrote it.
            """
            CREATE TABLE written_statuses (
                id \(dialect.identityKey),
                run BIGINT NOT NULL,
                repository TEXT NOT NULL,
                sha TEXT NOT NULL,
                context TEXT NOT NULL,
                state TEXT NOT NULL,
                description TEXT NOT NULL,
                written_ms BIGINT NOT NULL
            )
            """,
            "CREATE INDEX written_statuses_commit ON written_statuses (repository, sha)",
            "CREATE INDEX written_statuses_written ON written_statuses (written_ms)",
        ]
    }

    private static func version2(_ dialect: Dialect) -> [String] {
        switch dialect {
        case .sqlite:
            // SQLite rewrites a row in place: nothing to change.
            return []
        case .postgres:
            // Every run updates the last-seen columns of every fact it sees again. With free room in each page those
            // updates are HOT (no key column changes): the new row version stays in its page, no index entry is
            // added, and the old one is pruned without waiting for VACUUM. At fillfactor 100 (the default) each update
            // moved the row to another page: 184 MB after 1,000 runs of 200 Kustomizations, for 21,000 live rows.
            return ["ALTER TABLE observations SET (fillfactor = 50)"]
        }
    }

    /// What a database holds, read without writing anything.
    enum State: Equatable {
        /// No tables: a new ledger.
        case empty
        /// A ledger at this schema version.
        case ledger(version: Int)
        /// Tables that are not a ledger (their names, for the error).
        case foreign(String)
    }

    /// Reads the state with plain SELECTs, so a foreign file or database is never modified.
    static func inspect(_ backend: any LedgerBackend) async throws -> State {
        let tables: [String]
        switch backend.dialect {
        case .sqlite:
            tables = try await backend.query(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name", []
            ).compactMap { $0.first?.text }
        case .postgres:
            tables = try await backend.query(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name", []
            ).compactMap { $0.first?.text }
        }
        if tables.isEmpty { return .empty }
        let shown = tables.prefix(5).joined(separator: ", ") + (tables.count > 5 ? ", …" : "")
        guard tables.contains("fluxstamp_ledger") else { return .foreign("tables \(shown)") }
        let rows = try await backend.query("SELECT key, value FROM fluxstamp_ledger", [])
        var meta: [String: String] = [:]
        for row in rows where row.count == 2 {
            if let key = row[0].text, let value = row[1].text { meta[key] = value }
        }
        guard meta["format"] == format, let version = meta["schema_version"].flatMap(Int.init) else {
            return .foreign("a fluxstamp_ledger table without a format and schema version")
        }
        return .ledger(version: version)
    }
}
