import Foundation

/// One line of `ledger export --format jsonl`: a header, then runs, observations and written statuses.
/// Exactly one field is set per line, so the file is greppable and can be split or concatenated by tools.
struct ExportLine: Codable {
    var ledger: String?
    var schema: Int?
    var run: RunRecord?
    var observation: StoredObservation?
    var status: StoredWrittenStatus?
}

enum JSONLines {
    static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    static let withoutFraction = Date.ISO8601FormatStyle()

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(text(date))
        }
        return encoder
    }

    /// The time with exactly the ledger's milliseconds. The format style truncates the fraction of the binary
    /// floating-point time (…02.123 is …02.12299…, shown as .122), which lost a millisecond on each round trip.
    static func text(_ date: Date) -> String {
        let milliseconds = Milliseconds.from(date)
        let (seconds, fraction) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        let whole = fraction < 0 ? (seconds - 1, fraction + 1000) : (seconds, fraction)
        let base = Date(timeIntervalSince1970: Double(whole.0)).formatted(withoutFraction)
        let digits = String(whole.1)
        return base.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let date = try? Date(text, strategy: withFraction) { return date }
            if let date = try? Date(text, strategy: withoutFraction) { return date }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(text) is not an ISO 8601 time")
        }
        return decoder
    }
}

extension Ledger {
    /// Writes the whole ledger as JSON lines (`ledger export --format jsonl`), for backups and for moving between
    /// SQLite and PostgreSQL with `importJSONLines(from:)`.
    public func exportJSONLines(to handle: FileHandle) async throws(LedgerError) {
        let ledger = url.description
        try await exclusive("exporting") { backend in
            let encoder = JSONLines.encoder()
            func emit(_ lines: [ExportLine]) throws {
                var data = Data()
                for line in lines {
                    data.append(try encoder.encode(line))
                    data.append(0x0A)
                }
                do { try handle.write(contentsOf: data) } catch {
                    throw LedgerError.queryFailed(ledger: ledger, operation: "exporting", reason: "cannot write the output: \(error)")
                }
            }
            try emit([ExportLine(ledger: Schema.format, schema: Schema.latest)])
            let page = 5000
            // Pages by key so a large ledger streams out without being held in memory.
            var lastRun: Int64 = .min
            while true {
                let rows = try await backend.query(
                    "SELECT \(Columns.run) FROM runs WHERE id > ? ORDER BY id LIMIT ?", [.int(lastRun), SQLValue(page)]
                )
                try emit(rows.map { ExportLine(run: Columns.runRecord($0)) })
                guard rows.count == page, let last = rows.last?[0].int else { break }
                lastRun = last
            }
            var offset = 0
            while true {
                let rows = try await backend.query(
                    "SELECT \(Columns.observation) FROM observations ORDER BY cluster, namespace, name, revision, outcome LIMIT ? OFFSET ?",
                    [SQLValue(page), SQLValue(offset)]
                )
                try emit(rows.map { ExportLine(observation: Columns.storedObservation($0)) })
                guard rows.count == page else { break }
                offset += page
            }
            var lastStatus: Int64 = .min
            while true {
                let rows = try await backend.query(
                    "SELECT \(Columns.status) FROM written_statuses WHERE id > ? ORDER BY id LIMIT ?", [.int(lastStatus), SQLValue(page)]
                )
                try emit(rows.map { ExportLine(status: Columns.storedStatus($0)) })
                guard rows.count == page, let last = rows.last?[7].int else { break }
                lastStatus = last
            }
        }
    }

    /// Loads an export into this ledger, which must be empty (a new file or database): run ids are kept, so the
    /// copy reads exactly like the original. Every line is checked before anything is written; one transaction.
    @discardableResult
    public func importJSONLines(from handle: FileHandle) async throws(LedgerError) -> RowCounts {
        let ledger = url.description
        let data: Data
        do { data = try handle.readToEnd() ?? Data() } catch {
            throw .invalidImport(ledger: ledger, line: 0, reason: "cannot read the input: \(error)")
        }
        var runs: [RunRecord] = []
        var observations: [StoredObservation] = []
        var statuses: [StoredWrittenStatus] = []
        let decoder = JSONLines.decoder()
        var number = 0
        var sawHeader = false
        for line in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            number += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) { continue }
            let decoded: ExportLine
            do { decoded = try decoder.decode(ExportLine.self, from: Data(line)) } catch {
                throw .invalidImport(ledger: ledger, line: number, reason: "not a ledger export line (\(error))")
            }
            if let format = decoded.ledger {
                guard format == Schema.format, let schema = decoded.schema, schema <= Schema.latest else {
                    throw .invalidImport(
                        ledger: ledger, line: number,
                        reason: "the export is \(format) schema \(decoded.schema ?? 0); "
                            + "this fluxstamp reads \(Schema.format) up to schema \(Schema.latest)"
                    )
                }
                sawHeader = true
            } else if let run = decoded.run {
                runs.append(run)
            } else if let observation = decoded.observation {
                observations.append(observation)
            } else if let status = decoded.status {
                statuses.append(status)
            } else {
                throw .invalidImport(ledger: ledger, line: number, reason: "the line holds no run, observation or status")
            }
            if !sawHeader {
                throw .invalidImport(ledger: ledger, line: number, reason: "the first line must be the ledger header")
            }
        }
        guard sawHeader else {
            throw .invalidImport(ledger: ledger, line: 0, reason: "the input is empty, not a ledger export (it starts with a header line)")
        }
        let known = Set(runs.map(\.id))
        if let orphan = observations.first(where: { !known.contains($0.firstRun) || !known.contains($0.lastRun) }) {
            throw .invalidImport(
                ledger: ledger, line: 0, reason: "an observation of \(orphan.record.name) refers to a run not in the export"
            )
        }
        if let orphan = statuses.first(where: { !known.contains($0.run) }) {
            throw .invalidImport(
                ledger: ledger, line: 0, reason: "a status on \(orphan.status.sha) refers to run \(orphan.run), not in the export"
            )
        }
        return try await exclusive("importing") { backend in
            try await Self.transaction(backend) {
                for table in ["runs", "observations", "written_statuses"] {
                    let count = try await backend.query("SELECT COUNT(*) FROM \(table)", []).first?.first?.int ?? 0
                    guard count == 0 else {
                        throw LedgerError.invalidImport(
                            ledger: ledger, line: 0, reason: "the ledger already holds \(count) \(table) rows; import into a new ledger"
                        )
                    }
                }
                for chunk in runs.chunked(by: 500) {
                    var binds: [SQLValue] = []
                    for run in chunk {
                        binds += [
                            .int(run.id.rawValue), .text(run.cluster), .text(run.version), SQLValue(run.started), SQLValue(run.finished),
                            SQLValue(run.outcome?.rawValue), SQLValue(run.counts.observed), SQLValue(run.counts.planned),
                            SQLValue(run.counts.written), SQLValue(run.counts.unchanged), SQLValue(run.counts.failed),
                        ]
                    }
                    let placeholders = "(" + Array(repeating: "?", count: 11).joined(separator: ", ") + ")"
                    try await backend.execute(
                        "INSERT INTO runs (\(Columns.run)) VALUES "
                            + Array(repeating: placeholders, count: chunk.count).joined(separator: ", "),
                        binds
                    )
                }
                if backend.dialect == .postgres, !runs.isEmpty {
                    // Explicit ids do not move PostgreSQL's identity sequence; without this the next run would collide.
                    try await backend.execute("SELECT setval(pg_get_serial_sequence('runs', 'id'), (SELECT MAX(id) FROM runs))")
                }
                try await Self.upsert(observations, into: backend)
                try await Self.append(statuses, into: backend)
                return RowCounts(runs: runs.count, observations: observations.count, writtenStatuses: statuses.count)
            }
        }
    }
}
