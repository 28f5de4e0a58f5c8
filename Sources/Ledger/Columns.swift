/// Select lists and the decoding of their rows, kept side by side so the column order cannot drift.
enum Columns {
    static let run = "id, cluster, version, started_ms, finished_ms, outcome, observed, planned, written, unchanged, failed"

    static func runRecord(_ row: [SQLValue]) -> RunRecord {
        RunRecord(
            id: RunID(row[0].int ?? 0),
            cluster: row[1].text ?? "",
            started: row[3].date ?? .distantPast,
            finished: row[4].date,
            version: row[2].text ?? "",
            outcome: row[5].text.flatMap(RunOutcome.init(rawValue:)),
            counts: RunCounts(
                observed: Int(row[6].int ?? 0), planned: Int(row[7].int ?? 0), written: Int(row[8].int ?? 0),
                unchanged: Int(row[9].int ?? 0), failed: Int(row[10].int ?? 0)
            )
        )
    }

    static let observation = """
        cluster, namespace, name, revision, outcome, sha, reason, message, time_ms, origin, \
        first_run, first_seen_ms, last_run, last_seen_ms
        """

    static func storedObservation(_ row: [SQLValue]) -> StoredObservation {
        StoredObservation(
            record: ObservationRecord(
                cluster: row[0].text ?? "", namespace: row[1].text ?? "", name: row[2].text ?? "",
                revision: row[3].text ?? "", sha: row[5].text,
                outcome: row[4].text.flatMap(ObservationOutcome.init(rawValue:)) ?? .failed,
                reason: row[6].text ?? "", message: row[7].text ?? "", time: row[8].date,
                origin: row[9].text.flatMap(ObservationOrigin.init(rawValue:)) ?? .status
            ),
            firstRun: RunID(row[10].int ?? 0), firstSeen: row[11].date ?? .distantPast,
            lastRun: RunID(row[12].int ?? 0), lastSeen: row[13].date ?? .distantPast
        )
    }

    static let status = "run, repository, sha, context, state, description, written_ms, id"

    static func storedStatus(_ row: [SQLValue]) -> StoredWrittenStatus {
        StoredWrittenStatus(
            run: RunID(row[0].int ?? 0),
            status: WrittenStatusRecord(
                repository: row[1].text ?? "", sha: row[2].text ?? "", context: row[3].text ?? "",
                state: row[4].text ?? "", description: row[5].text ?? "", writtenAt: row[6].date ?? .distantPast
            )
        )
    }
}
