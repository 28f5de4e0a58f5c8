// The ledger: fluxstamp's durable memory of runs, observations and written statuses (SPEC section 8).
//
// Dependency choice. Measured debug `swift build` times on this 2-core machine while other builds ran (load average
// 11 to 17, so expect roughly a third of these on an idle machine), packages already resolved:
//   cold, from an empty .build: swift-nio, swift-nio-ssl, swift-crypto, swift-log + sqlite-nio + postgres-nio  1313 s
//   on top of that, each candidate's own modules (its objects removed or newly added, the rest already built):
//     sqlite-nio 1.13.2 (bundled SQLite amalgamation + SQLiteNIO)                                               53 s
//     GRDB.swift 7.10.0 (instead of sqlite-nio; also needs Debian's libsqlite3-dev)                             118 s
//     sql-kit 3.36.0 + sqlite-kit 4.5.2 + postgres-kit 2.17.0 (+ async-kit, more swift-collections, algorithms)  +214 s
//   postgres-nio 1.33.2 is in every option (the only maintained PostgreSQL client), so it does not decide.
// Chosen: sqlite-nio + postgres-nio directly, with the ledger's own small backend layer (`LedgerBackend`, one
// schema and one set of statements for both): the ledger needs a dozen statements, all plain SQL that both
// databases accept (multi-row INSERT … ON CONFLICT … DO UPDATE, RETURNING), so a query builder would buy little
// and cost about 3.5 build minutes per cold CI run; GRDB costs twice sqlite-nio's time and a system library.
// sqlite-nio bundles SQLite, so every machine runs the same SQLite; postgres-nio shares swift-nio, swift-log and
// swift-nio-ssl with the rest of fluxstamp.

import Foundation
import Logging

/// A fluxstamp ledger (SQLite file or PostgreSQL database), open for one process.
///
/// One operation runs at a time: a write is one transaction, so a run's records land all together or not at all.
public actor Ledger {
    /// The URL it was opened with (its description hides the password).
    public nonisolated let url: LedgerURL
    let logger: Logger
    private var backend: (any LedgerBackend)?
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// The newest schema version this build understands.
    public static let schemaVersion = Schema.latest

    private init(url: LedgerURL, backend: any LedgerBackend, logger: Logger) {
        self.url = url
        self.backend = backend
        self.logger = logger
    }

    /// Opens the ledger, creating its tables on first use and applying pending migrations.
    ///
    /// A database that is not a ledger, or one from a newer fluxstamp, is refused before anything is written.
    public static func open(_ url: LedgerURL, logger: Logger) async throws(LedgerError) -> Ledger {
        let backend: any LedgerBackend
        do {
            switch url.location {
            case .sqlite(let path): backend = try await SQLiteBackend.open(path: path, logger: logger)
            case .postgres(let address): backend = try await PostgresBackend.connect(address, logger: logger)
            }
        } catch {
            throw .unreachable(ledger: url.description, reason: describe(error))
        }
        do {
            try await migrate(backend, url: url, logger: logger)
        } catch {
            await backend.close()
            if let error = error as? LedgerError { throw error }
            // SQLite reads the header only when first asked: a file that is something else fails here, untouched.
            if describe(error).contains("notADatabase") {
                throw .notALedger(ledger: url.description, found: "no SQLite database: the file is something else")
            }
            throw .queryFailed(ledger: url.description, operation: "opening", reason: describe(error))
        }
        return Ledger(url: url, backend: backend, logger: logger)
    }

    private static func check(_ state: Schema.State, url: LedgerURL) throws(LedgerError) -> Int {
        switch state {
        case .empty: return 0
        case .foreign(let found): throw .notALedger(ledger: url.description, found: found)
        case .ledger(let version) where version > Schema.latest:
            throw .newerSchema(ledger: url.description, found: version, supported: Schema.latest)
        case .ledger(let version): return version
        }
    }

    private static func migrate(_ backend: any LedgerBackend, url: LedgerURL, logger: Logger) async throws {
        // Read first, with SELECTs only: a foreign or newer database must stay byte-for-byte as it was.
        let seen = try check(try await Schema.inspect(backend), url: url)
        if let sqlite = backend as? SQLiteBackend { try await sqlite.prepareForWrites() }
        guard seen < Schema.latest else { return }
        try await transaction(backend) {
            if backend.dialect == .postgres {
                // Several clusters may open an empty database at once: one migrates, the others wait and re-read.
                try await backend.execute("SELECT pg_advisory_xact_lock(7262431)")
            }
            let current = try check(try await Schema.inspect(backend), url: url)
            guard current < Schema.latest else { return }
            for version in (current + 1)...Schema.latest {
                for statement in Schema.migration(to: version, dialect: backend.dialect) {
                    try await backend.execute(statement)
                }
                try await backend.execute("UPDATE fluxstamp_ledger SET value = ? WHERE key = 'schema_version'", [.text("\(version)")])
            }
            // One line: a new ledger is created (its migrations are an implementation detail); an
            // existing one says which schema it came from.
            if current == 0 {
                logger.info("ledger created", metadata: ["ledger": "\(url)", "schema": "\(Schema.latest)"])
            } else {
                logger.info("ledger migrated", metadata: ["ledger": "\(url)", "from": "\(current)", "schema": "\(Schema.latest)"])
            }
        }
    }

    /// Runs `body` in one write transaction, rolled back when it throws.
    static func transaction<T>(
        _ backend: any LedgerBackend, isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T
    ) async throws -> T {
        try await backend.execute(backend.dialect.beginWrite)
        do {
            let result = try await body()
            try await backend.execute("COMMIT")
            return result
        } catch {
            try? await backend.execute("ROLLBACK")
            throw error
        }
    }

    /// Runs one operation with the connection to itself: an actor alone would interleave two callers' statements
    /// at each `await`, mixing them into one transaction.
    func exclusive<T>(_ operation: String, _ body: (any LedgerBackend) async throws -> T) async throws(LedgerError) -> T {
        if busy {
            await withCheckedContinuation { waiters.append($0) }
        } else {
            busy = true
        }
        defer {
            if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
        }
        guard let backend else { throw .closed(ledger: url.description) }
        do {
            return try await body(backend)
        } catch let error as LedgerError {
            throw error
        } catch {
            throw .queryFailed(ledger: url.description, operation: operation, reason: describe(error))
        }
    }

    /// Records that a run began, so a run that never finishes (killed, out of memory) stays visible as unfinished.
    public func beginRun(cluster: String, version: String, started: Date) async throws(LedgerError) -> RunID {
        try await exclusive("recording the start of a run for cluster \(cluster)") { backend in
            let rows = try await backend.query(
                "INSERT INTO runs (cluster, version, started_ms) VALUES (?, ?, ?) RETURNING id",
                [.text(cluster), .text(version), SQLValue(started)]
            )
            guard let id = rows.first?.first?.int else {
                throw LedgerError.queryFailed(
                    ledger: url.description, operation: "recording the start of a run", reason: "the database returned no run id"
                )
            }
            return RunID(id)
        }
    }

    /// Records the end of a run in one transaction: its outcome and counts, every observation (a fact already in
    /// the ledger gets its last-seen run and time updated, no new row) and every status written.
    ///
    /// Observations with origin `.ledger` are ignored: they came from this ledger and were not seen again.
    public func finishRun(
        _ run: RunID, outcome: RunOutcome, counts: RunCounts, finished: Date,
        observations: [ObservationRecord], writes: [WrittenStatusRecord]
    ) async throws(LedgerError) {
        let stored = observations.filter { $0.origin != .ledger }.map {
            StoredObservation(record: $0, firstRun: run, firstSeen: finished, lastRun: run, lastSeen: finished)
        }
        try await exclusive("recording the end of run \(run)") { backend in
            try await Self.transaction(backend) {
                try await Self.upsert(stored, into: backend)
                try await Self.append(writes.map { StoredWrittenStatus(run: run, status: $0) }, into: backend)
                let updated = try await backend.query(
                    """
                    UPDATE runs SET finished_ms = ?, outcome = ?, observed = ?, planned = ?, written = ?, unchanged = ?,
                    failed = ? WHERE id = ? RETURNING id
                    """,
                    [
                        SQLValue(finished), .text(outcome.rawValue), SQLValue(counts.observed), SQLValue(counts.planned),
                        SQLValue(counts.written), SQLValue(counts.unchanged), SQLValue(counts.failed), .int(run.rawValue),
                    ]
                )
                guard !updated.isEmpty else {
                    throw LedgerError.queryFailed(
                        ledger: url.description, operation: "recording the end of run \(run)",
                        reason: "no such run (pruned, or begun in another ledger); nothing was recorded"
                    )
                }
            }
        }
        logger.debug(
            "ledger run recorded",
            metadata: ["run": "\(run)", "observations": "\(stored.count)", "writes": "\(writes.count)"]
        )
    }

    /// Runs, newest first; `cluster` nil means every cluster.
    public func runs(cluster: String? = nil, limit: Int = 100) async throws(LedgerError) -> [RunRecord] {
        try await exclusive("reading runs") { backend in
            var sql = "SELECT \(Columns.run) FROM runs"
            var binds: [SQLValue] = []
            if let cluster {
                sql += " WHERE cluster = ?"
                binds.append(.text(cluster))
            }
            sql += " ORDER BY id DESC LIMIT ?"
            binds.append(SQLValue(limit))
            return try await backend.query(sql, binds).map(Columns.runRecord)
        }
    }

    /// What earlier runs saw of a cluster's Kustomizations (all, one namespace, or one Kustomization), last seen
    /// at or after `since` when given; ordered by namespace, name and time.
    public func observations(
        cluster: String, namespace: String? = nil, name: String? = nil, since: Date? = nil
    ) async throws(LedgerError) -> [StoredObservation] {
        try await exclusive("reading observations of cluster \(cluster)") { backend in
            var sql = "SELECT \(Columns.observation) FROM observations WHERE cluster = ?"
            var binds: [SQLValue] = [.text(cluster)]
            if let namespace {
                sql += " AND namespace = ?"
                binds.append(.text(namespace))
            }
            if let name {
                sql += " AND name = ?"
                binds.append(.text(name))
            }
            if let since {
                sql += " AND last_seen_ms >= ?"
                binds.append(SQLValue(since))
            }
            sql += " ORDER BY namespace, name, COALESCE(time_ms, first_seen_ms), revision, outcome"
            return try await backend.query(sql, binds).map(Columns.storedObservation)
        }
    }

    /// Statuses written to a repository (one commit when `sha` is given), oldest first.
    public func writtenStatuses(repository: String, sha: String? = nil) async throws(LedgerError) -> [StoredWrittenStatus] {
        try await exclusive("reading statuses written to \(repository)") { backend in
            var sql = "SELECT \(Columns.status) FROM written_statuses WHERE repository = ?"
            var binds: [SQLValue] = [.text(repository)]
            if let sha {
                sql += " AND sha = ?"
                binds.append(.text(sha))
            }
            sql += " ORDER BY written_ms, id"
            return try await backend.query(sql, binds).map(Columns.storedStatus)
        }
    }

    /// Rows per table and, per cluster, its runs and the oldest and newest fact.
    public func stats() async throws(LedgerError) -> LedgerStats {
        try await exclusive("reading statistics") { backend in
            func count(_ table: String) async throws -> Int {
                Int(try await backend.query("SELECT COUNT(*) FROM \(table)", []).first?.first?.int ?? 0)
            }
            var spans: [String: LedgerStats.ClusterSpan] = [:]
            func span(_ cluster: String) -> LedgerStats.ClusterSpan {
                spans[cluster] ?? .init(cluster: cluster, runs: 0, unfinishedRuns: 0, observations: 0)
            }
            let runRows = try await backend.query(
                "SELECT cluster, COUNT(*), COUNT(CASE WHEN finished_ms IS NULL THEN 1 END) FROM runs GROUP BY cluster", []
            )
            for row in runRows {
                guard let cluster = row[0].text else { continue }
                var entry = span(cluster)
                entry.runs = Int(row[1].int ?? 0)
                entry.unfinishedRuns = Int(row[2].int ?? 0)
                spans[cluster] = entry
            }
            let factRows = try await backend.query(
                """
                SELECT cluster, COUNT(*),
                MIN(CASE WHEN time_ms IS NOT NULL AND time_ms < first_seen_ms THEN time_ms ELSE first_seen_ms END),
                MAX(last_seen_ms) FROM observations GROUP BY cluster
                """, []
            )
            for row in factRows {
                guard let cluster = row[0].text else { continue }
                var entry = span(cluster)
                entry.observations = Int(row[1].int ?? 0)
                entry.oldestFact = row[2].date
                entry.newestFact = row[3].date
                spans[cluster] = entry
            }
            let sizeQuery =
                switch backend.dialect {
                case .sqlite: "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
                case .postgres: "SELECT pg_database_size(current_database())"
                }
            return LedgerStats(
                schemaVersion: Schema.latest,
                runs: try await count("runs"),
                observations: try await count("observations"),
                writtenStatuses: try await count("written_statuses"),
                bytes: try await backend.query(sizeQuery, []).first?.first?.int ?? 0,
                clusters: spans.values.sorted { $0.cluster < $1.cluster }
            )
        }
    }

    /// Deletes observations last seen before `cutoff`, statuses written before it, and runs begun before it that
    /// no remaining row refers to (`--ledger-retention`).
    public func prune(olderThan cutoff: Date) async throws(LedgerError) -> RowCounts {
        let limit = SQLValue(cutoff)
        return try await exclusive("pruning records older than \(cutoff)") { backend in
            try await Self.transaction(backend) {
                let observations = try await backend.query("DELETE FROM observations WHERE last_seen_ms < ? RETURNING 1", [limit])
                let statuses = try await backend.query("DELETE FROM written_statuses WHERE written_ms < ? RETURNING 1", [limit])
                let runs = try await backend.query(
                    """
                    DELETE FROM runs WHERE started_ms < ?
                    AND id NOT IN (SELECT first_run FROM observations) AND id NOT IN (SELECT last_run FROM observations)
                    AND id NOT IN (SELECT run FROM written_statuses) RETURNING 1
                    """, [limit]
                )
                return RowCounts(runs: runs.count, observations: observations.count, writtenStatuses: statuses.count)
            }
        }
    }

    /// Closes the connection; later calls throw `LedgerError.closed`.
    public func close() async {
        guard let backend else { return }
        self.backend = nil
        await backend.close()
    }

    // MARK: Writing rows (shared by finishRun and import)

    static func upsert(_ observations: [StoredObservation], into backend: any LedgerBackend) async throws {
        // One row per key: a duplicate inside one statement is an error in PostgreSQL ("cannot affect row a second
        // time"). Sorted by key, so concurrent writers lock rows in the same order and cannot deadlock.
        var merged: [ObservationKey: StoredObservation] = [:]
        for observation in observations {
            let key = ObservationKey(observation.record)
            merged[key] = merged[key].map { $0.merged(with: observation) } ?? observation
        }
        let rows = merged.sorted { $0.key < $1.key }.map(\.value)
        if backend.dialect == .postgres {
            try await upsertByColumns(rows, into: backend)
            return
        }
        let columnCount = 14
        for chunk in rows.chunked(by: min(500, backend.dialect.maxBinds / columnCount)) {
            var binds: [SQLValue] = []
            binds.reserveCapacity(chunk.count * columnCount)
            for stored in chunk {
                let record = stored.record
                binds += [
                    .text(record.cluster), .text(record.namespace), .text(record.name), .text(record.revision),
                    .text(record.outcome.rawValue), SQLValue(record.sha), .text(record.reason), .text(record.message),
                    SQLValue(record.time), .text(record.origin.rawValue), .int(stored.firstRun.rawValue),
                    SQLValue(stored.firstSeen), .int(stored.lastRun.rawValue), SQLValue(stored.lastSeen),
                ]
            }
            let placeholders = "(" + Array(repeating: "?", count: columnCount).joined(separator: ", ") + ")"
            try await backend.execute(
                """
                INSERT INTO observations (cluster, namespace, name, revision, outcome, sha, reason, message, time_ms, origin,
                first_run, first_seen_ms, last_run, last_seen_ms) VALUES \
                \(Array(repeating: placeholders, count: chunk.count).joined(separator: ", "))
                \(onConflict)
                """,
                binds
            )
        }
    }

    /// PostgreSQL: all rows in one statement with one array parameter per column (`UNNEST`), instead of 14 parameters
    /// per row: the server parses and plans a short statement once, and the client encodes 14 arrays. Measured with
    /// scripts/bench ledger (see docs/ledger.md). Arrays hold no NULLs, so an empty string stands for a missing sha
    /// or time.
    static func upsertByColumns(_ rows: [StoredObservation], into backend: any LedgerBackend) async throws {
        for chunk in rows.chunked(by: 10_000) {
            var text = Array(repeating: [String](), count: 10)
            var number = Array(repeating: [Int64](), count: 4)
            for index in text.indices { text[index].reserveCapacity(chunk.count) }
            for index in number.indices { number[index].reserveCapacity(chunk.count) }
            for stored in chunk {
                let record = stored.record
                let columns = [
                    record.cluster, record.namespace, record.name, record.revision, record.outcome.rawValue, record.sha ?? "",
                    record.reason, record.message, record.time.map { String(Milliseconds.from($0)) } ?? "", record.origin.rawValue,
                ]
                for (index, value) in columns.enumerated() { text[index].append(value) }
                number[0].append(stored.firstRun.rawValue)
                number[1].append(Milliseconds.from(stored.firstSeen))
                number[2].append(stored.lastRun.rawValue)
                number[3].append(Milliseconds.from(stored.lastSeen))
            }
            try await backend.execute(
                """
                INSERT INTO observations (cluster, namespace, name, revision, outcome, sha, reason, message, time_ms, origin,
                first_run, first_seen_ms, last_run, last_seen_ms)
                SELECT cluster, namespace, name, revision, outcome, NULLIF(sha, ''), reason, message,
                NULLIF(time_ms, '')::bigint, origin, first_run, first_seen_ms, last_run, last_seen_ms
                FROM UNNEST(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[])
                AS u(cluster, namespace, name, revision, outcome, sha, reason, message, time_ms, origin,
                first_run, first_seen_ms, last_run, last_seen_ms)
                \(onConflict)
                """,
                text.map { SQLValue.texts($0) } + number.map { SQLValue.ints($0) }
            )
        }
    }

    /// How a fact already in the ledger absorbs a new sighting (both the VALUES and the UNNEST form use it).
    static let onConflict = """
        ON CONFLICT (cluster, namespace, name, revision, outcome) DO UPDATE SET
        sha = COALESCE(observations.sha, excluded.sha),
        reason = CASE WHEN excluded.reason <> '' OR excluded.message <> '' THEN excluded.reason
            ELSE observations.reason END,
        message = CASE WHEN excluded.reason <> '' OR excluded.message <> '' THEN excluded.message
            ELSE observations.message END,
        time_ms = CASE WHEN observations.time_ms IS NULL OR excluded.time_ms < observations.time_ms
            THEN excluded.time_ms ELSE observations.time_ms END,
        first_run = CASE WHEN excluded.first_run < observations.first_run THEN excluded.first_run
            ELSE observations.first_run END,
        first_seen_ms = CASE WHEN excluded.first_run < observations.first_run THEN excluded.first_seen_ms
            ELSE observations.first_seen_ms END,
        last_run = CASE WHEN excluded.last_run > observations.last_run THEN excluded.last_run
            ELSE observations.last_run END,
        last_seen_ms = CASE WHEN excluded.last_run > observations.last_run THEN excluded.last_seen_ms
            ELSE observations.last_seen_ms END
        """

    static func append(_ statuses: [StoredWrittenStatus], into backend: any LedgerBackend) async throws {
        let columnCount = 7
        for chunk in statuses.chunked(by: 500) {
            var binds: [SQLValue] = []
            binds.reserveCapacity(chunk.count * columnCount)
            for stored in chunk {
                let status = stored.status
                binds += [
                    .int(stored.run.rawValue), .text(status.repository), .text(status.sha), .text(status.context),
                    .text(status.state), .text(status.description), SQLValue(status.writtenAt),
                ]
            }
            let placeholders = "(" + Array(repeating: "?", count: columnCount).joined(separator: ", ") + ")"
            try await backend.execute(
                "INSERT INTO written_statuses (run, repository, sha, context, state, description, written_ms) VALUES "
                    + Array(repeating: placeholders, count: chunk.count).joined(separator: ", "),
                binds
            )
        }
    }
}

/// The identity of a fact: re-observing it updates its row.
struct ObservationKey: Hashable, Comparable {
    let cluster: String, namespace: String, name: String, revision: String, outcome: String

    init(_ record: ObservationRecord) {
        cluster = record.cluster
        namespace = record.namespace
        name = record.name
        revision = record.revision
        outcome = record.outcome.rawValue
    }

    static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.cluster, lhs.namespace, lhs.name, lhs.revision, lhs.outcome)
            < (rhs.cluster, rhs.namespace, rhs.name, rhs.revision, rhs.outcome)
    }
}

extension StoredObservation {
    /// Two sightings of one fact in one batch, combined the way the upsert combines them with the stored row.
    func merged(with other: StoredObservation) -> StoredObservation {
        var result = self
        if result.record.sha == nil { result.record.sha = other.record.sha }
        if let time = other.record.time, result.record.time.map({ time < $0 }) ?? true { result.record.time = time }
        if !other.record.reason.isEmpty || !other.record.message.isEmpty {
            result.record.reason = other.record.reason
            result.record.message = other.record.message
        }
        if other.firstRun < result.firstRun { (result.firstRun, result.firstSeen) = (other.firstRun, other.firstSeen) }
        if other.lastRun > result.lastRun { (result.lastRun, result.lastSeen) = (other.lastRun, other.lastSeen) }
        return result
    }
}

extension Array {
    func chunked(by size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: Swift.max(1, size)).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
