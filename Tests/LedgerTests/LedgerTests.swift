import Foundation
import Testing

@testable import Ledger

/// The same behaviour against SQLite and a real PostgreSQL server (started by scripts/test).
@Suite("Ledger")
struct LedgerTests {
    @Test("a new ledger gets the current schema, and opening it again changes nothing", arguments: Kind.allCases)
    func migratesFromEmpty(kind: Kind) async throws {
        try await withScratch(kind) { url in
            let ledger = try await Ledger.open(url, logger: testLogger)
            let stats = try await ledger.stats()
            #expect(stats.schemaVersion == Ledger.schemaVersion)
            #expect(stats.runs == 0 && stats.observations == 0 && stats.writtenStatuses == 0)
            let run = try await ledger.beginRun(cluster: "prod", version: "1.0.0", started: day(0))
            await ledger.close()
            let before = try await snapshot(url)

            let again = try await Ledger.open(url, logger: testLogger)
            #expect(try await again.runs().map(\.id) == [run])
            await again.close()
            if kind == .postgres { #expect(try await snapshot(url) == before) }
            let raw = try await rawConnection(url)
            let version = try await raw.query("SELECT value FROM fluxstamp_ledger WHERE key = 'schema_version'", [])
            await raw.close()
            #expect(version == [[.text("\(Ledger.schemaVersion)")]])
        }
    }

    @Test("a ledger from an older fluxstamp is migrated on open and keeps its records", arguments: Kind.allCases)
    func migratesFromVersion1(kind: Kind) async throws {
        try await withScratch(kind) { url in
            let raw = try await rawConnection(url)
            let dialect = raw.dialect
            for statement in Schema.migration(to: 1, dialect: dialect) { try await raw.execute(statement) }
            try await raw.execute("UPDATE fluxstamp_ledger SET value = '1' WHERE key = 'schema_version'")
            try await raw.execute("INSERT INTO runs (cluster, version, started_ms) VALUES ('prod', '0.1.0', 1750000000000)")
            await raw.close()

            let ledger = try await Ledger.open(url, logger: testLogger)
            #expect(try await ledger.runs().map(\.cluster) == ["prod"])
            let run = try await ledger.beginRun(cluster: "prod", version: "1", started: day(1))
            try await ledger.finishRun(
                run, outcome: .succeeded, counts: RunCounts(observed: 1), finished: day(1, 1),
                observations: [observation(name: "apps", revision: "main@sha1:aaa")], writes: [])
            #expect(try await ledger.stats().observations == 1)
            await ledger.close()
            let check = try await rawConnection(url)
            let version = try await check.query("SELECT value FROM fluxstamp_ledger WHERE key = 'schema_version'", [])
            await check.close()
            #expect(version == [[.text("\(Ledger.schemaVersion)")]])
        }
    }

    /// Prepares a database that must be refused, and the error expected.
    enum Refusal: String, CaseIterable, CustomTestStringConvertible {
        case foreignTables, newerSchema, notADatabase
        var testDescription: String { rawValue }
    }

    @Test("a foreign or newer database is refused and left exactly as it was", arguments: Kind.allCases, Refusal.allCases)
    func refusesForeignDatabases(kind: Kind, refusal: Refusal) async throws {
        guard !(kind == .postgres && refusal == .notADatabase) else { return }  // a file-only case
        try await withScratch(kind) { url in
            switch refusal {
            case .foreignTables:
                let raw = try await rawConnection(url)
                try await raw.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)")
                try await raw.execute("INSERT INTO users (id, email) VALUES (1, 'a@example.com')")
                await raw.close()
            case .newerSchema:
                let ledger = try await Ledger.open(url, logger: testLogger)
                await ledger.close()
                let raw = try await rawConnection(url)
                try await raw.execute("UPDATE fluxstamp_ledger SET value = '99' WHERE key = 'schema_version'")
                await raw.close()
            case .notADatabase:
                guard case .sqlite(let path) = url.location else { return }
                try Data("key: value\nnot: sqlite\n".utf8).write(to: URL(fileURLWithPath: path))
            }
            let before = try await snapshot(url)
            #expect(!before.isEmpty)

            let error = await #expect(throws: LedgerError.self) { try await Ledger.open(url, logger: testLogger) }
            switch (refusal, error) {
            case (.foreignTables, .notALedger(_, let found)?): #expect(found.contains("users"))
            case (.newerSchema, .newerSchema(_, let found, let supported)?): #expect(found == 99 && supported == Ledger.schemaVersion)
            case (.notADatabase, .notALedger(_, let found)?): #expect(found.contains("no SQLite database"))
            default: Issue.record("unexpected error \(String(describing: error))")
            }
            #expect(error?.description.contains("not modified") ?? false)
            #expect(try await snapshot(url) == before)
        }
    }

    @Test("seeing the same fact again updates its last-seen run instead of adding a row", arguments: Kind.allCases)
    func reobservingUpdates(kind: Kind) async throws {
        try await withScratch(kind) { url in
            let ledger = try await Ledger.open(url, logger: testLogger)
            let facts = [
                observation(name: "apps", revision: "main@sha1:aaa", time: day(0, 5)),
                observation(name: "apps", revision: "main@sha1:bbb", outcome: .failed, reason: "BuildFailed", message: "kustomize"),
                observation(name: "infra", revision: "main@sha1:aaa", origin: .history),
            ]
            let first = try await ledger.beginRun(cluster: "prod", version: "1.0.0", started: day(0))
            try await ledger.finishRun(
                first, outcome: .succeeded, counts: RunCounts(observed: 3), finished: day(0, 10), observations: facts, writes: []
            )
            // The second run sees the same facts (one of them twice, once read back from the ledger) and a new one.
            let second = try await ledger.beginRun(cluster: "prod", version: "1.0.1", started: day(1))
            var again = facts + [observation(name: "apps", revision: "main@sha1:ccc")]
            again.append(observation(name: "apps", revision: "main@sha1:ddd", origin: .ledger))
            again[0].message = ""
            again[0].reason = ""
            try await ledger.finishRun(
                second, outcome: .partial, counts: RunCounts(observed: 5, failed: 1), finished: day(1, 10),
                observations: again, writes: []
            )

            let stored = try await ledger.observations(cluster: "prod")
            #expect(stored.count == 4)
            #expect(!stored.contains { $0.record.revision == "main@sha1:ddd" })
            let apps = try #require(stored.first { $0.record.revision == "main@sha1:aaa" && $0.record.name == "apps" })
            #expect(apps.firstRun == first && apps.lastRun == second)
            #expect(apps.firstSeen == day(0, 10) && apps.lastSeen == day(1, 10))
            #expect(apps.record.time == day(0, 5))
            #expect(apps.record.message == "Applied")  // an empty message does not erase a known one
            let newer = try #require(stored.first { $0.record.revision == "main@sha1:ccc" })
            #expect(newer.firstRun == second)
            #expect(try await ledger.observations(cluster: "prod", name: "infra").count == 1)
            #expect(try await ledger.observations(cluster: "prod", since: day(1)).count == 4)
            #expect(try await ledger.observations(cluster: "staging").isEmpty)

            let runs = try await ledger.runs(cluster: "prod")
            #expect(runs.map(\.id) == [second, first])
            #expect(runs[0].outcome == .partial && runs[0].counts == RunCounts(observed: 5, failed: 1) && runs[0].version == "1.0.1")
            await ledger.close()
        }
    }

    @Test("two overlapping runs on one ledger both record, without duplicates", arguments: Kind.allCases)
    func twoConcurrentRuns(kind: Kind) async throws {
        try await withScratch(kind) { url in
            // Two processes: two connections, each with its own Ledger.
            let one = try await Ledger.open(url, logger: testLogger)
            let two = try await Ledger.open(url, logger: testLogger)
            let shared = (0..<100).map { observation(name: "k\($0)", revision: "main@sha1:\($0)") }
            let runOne = try await one.beginRun(cluster: "prod", version: "1", started: day(0))
            let runTwo = try await two.beginRun(cluster: "prod", version: "1", started: day(0, 1))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (ledger, run, extra) in [(one, runOne, "x"), (two, runTwo, "y")] {
                    group.addTask {
                        for round in 0..<5 {
                            let own = observation(name: "only-\(extra)", revision: "main@sha1:\(round)")
                            try await ledger.finishRun(
                                run, outcome: .succeeded, counts: RunCounts(observed: 101), finished: day(0, Double(round + 2)),
                                observations: shared + [own], writes: [status("\(extra)\(round)", at: day(0, 2))]
                            )
                        }
                    }
                }
                try await group.waitForAll()
            }
            let stats = try await one.stats()
            #expect(stats.observations == 110)
            #expect(stats.writtenStatuses == 10)
            #expect(stats.runs == 2 && stats.clusters.first?.unfinishedRuns == 0)
            let stored = try await two.observations(cluster: "prod")
            #expect(Set(stored.map { ObservationKey($0.record) }).count == stored.count)
            #expect(stored.filter { $0.record.name == "k7" }.allSatisfy { $0.firstRun == runOne && $0.lastRun == runTwo })
            await one.close()
            await two.close()
        }
    }

    @Test("three clusters open a new ledger and write to it at once", arguments: Kind.allCases)
    func threeClustersAtOnce(kind: Kind) async throws {
        try await withScratch(kind) { url in
            let clusters = ["eu", "us", "ap"]
            try await withThrowingTaskGroup(of: Void.self) { group in
                for cluster in clusters {
                    group.addTask {
                        // Each opens the empty database itself: exactly one of them creates the tables.
                        let ledger = try await Ledger.open(url, logger: testLogger)
                        for round in 0..<4 {
                            let run = try await ledger.beginRun(cluster: cluster, version: "1", started: day(Double(round)))
                            let seen = (0..<200).map {
                                observation(cluster: cluster, name: "k\($0)", revision: "main@sha1:\(($0 + round) % 250)")
                            }
                            try await ledger.finishRun(
                                run, outcome: .succeeded, counts: RunCounts(observed: 200), finished: day(Double(round), 1),
                                observations: seen, writes: [status("\(cluster)\(round)", context: "fluxstamp/\(cluster)", at: day(0))]
                            )
                        }
                        await ledger.close()
                    }
                }
                try await group.waitForAll()
            }
            let ledger = try await Ledger.open(url, logger: testLogger)
            let stats = try await ledger.stats()
            // Each Kustomization saw 4 revisions in 4 rounds (shifting by one each round): 200 × 4 facts per cluster.
            #expect(stats.clusters.map(\.cluster) == clusters.sorted())
            #expect(stats.clusters.allSatisfy { $0.runs == 4 && $0.unfinishedRuns == 0 && $0.observations == 800 })
            #expect(stats.observations == 2400 && stats.writtenStatuses == 12 && stats.runs == 12)
            #expect(stats.clusters.allSatisfy { $0.oldestFact == day(0, 1) && $0.newestFact == day(3, 1) })
            await ledger.close()
        }
    }

    @Test("a run that dies leaves an unfinished run row and none of its records", arguments: Kind.allCases)
    func killedRun(kind: Kind) async throws {
        try await withScratch(kind) { url in
            // Killed before its end: the connection drops without finishRun.
            let dying = try await Ledger.open(url, logger: testLogger)
            let killed = try await dying.beginRun(cluster: "prod", version: "1", started: day(0))
            await dying.close()

            // Killed during its end: the last insert of the transaction fails after the observations went in.
            let raw = try await rawConnection(url)
            switch kind {
            case .sqlite:
                try await raw.execute(
                    """
                    CREATE TRIGGER poison BEFORE INSERT ON written_statuses WHEN NEW.context = 'poison'
                    BEGIN SELECT RAISE(ABORT, 'injected failure'); END
                    """)
            case .postgres:
                try await raw.execute(
                    """
                    CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN IF NEW.context = 'poison' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$
                    """)
                try await raw.execute("CREATE TRIGGER poison BEFORE INSERT ON written_statuses FOR EACH ROW EXECUTE FUNCTION poison()")
            }
            await raw.close()
            let ledger = try await Ledger.open(url, logger: testLogger)
            let interrupted = try await ledger.beginRun(cluster: "prod", version: "1", started: day(1))
            let error = await #expect(throws: LedgerError.self) {
                try await ledger.finishRun(
                    interrupted, outcome: .succeeded, counts: RunCounts(observed: 50), finished: day(1, 1),
                    observations: (0..<50).map { observation(name: "k\($0)", revision: "main@sha1:a") },
                    writes: [status("a", at: day(1)), status("a", context: "poison", at: day(1))]
                )
            }
            #expect(error?.description.contains("injected failure") == true)
            #expect(error?.description.contains("run \(interrupted)") == true)

            let runs = try await ledger.runs()
            #expect(runs.map(\.id) == [interrupted, killed])
            #expect(runs.allSatisfy { $0.finished == nil && $0.outcome == nil && $0.counts == RunCounts() })
            let stats = try await ledger.stats()
            #expect(stats.observations == 0 && stats.writtenStatuses == 0)
            #expect(stats.clusters.first?.unfinishedRuns == 2)
            await ledger.close()
        }
    }

    @Test("retention removes old facts and statuses, and runs nothing refers to any more", arguments: Kind.allCases)
    func retention(kind: Kind) async throws {
        try await withScratch(kind) { url in
            let ledger = try await Ledger.open(url, logger: testLogger)
            let old = try await ledger.beginRun(cluster: "prod", version: "1", started: day(0))
            try await ledger.finishRun(
                old, outcome: .succeeded, counts: RunCounts(), finished: day(0, 1),
                observations: [observation(name: "gone", revision: "main@sha1:old")], writes: [status("old", at: day(0))]
            )
            let early = try await ledger.beginRun(cluster: "prod", version: "1", started: day(1))
            try await ledger.finishRun(
                early, outcome: .succeeded, counts: RunCounts(), finished: day(1, 1),
                observations: [observation(name: "kept", revision: "main@sha1:new")], writes: []
            )
            let recent = try await ledger.beginRun(cluster: "prod", version: "1", started: day(10))
            try await ledger.finishRun(
                recent, outcome: .succeeded, counts: RunCounts(), finished: day(10, 1),
                observations: [observation(name: "kept", revision: "main@sha1:new")], writes: [status("new", at: day(10))]
            )

            let removed = try await ledger.prune(olderThan: day(5))
            #expect(removed == RowCounts(runs: 1, observations: 1, writtenStatuses: 1))
            // `early` stays: the kept fact was first seen in it.
            #expect(try await ledger.runs().map(\.id) == [recent, early])
            #expect(try await ledger.observations(cluster: "prod").map(\.record.name) == ["kept"])
            #expect(try await ledger.writtenStatuses(repository: "https://github.com/acme/app").map(\.status.sha) == ["new"])
            #expect(try await ledger.prune(olderThan: day(5)) == RowCounts(runs: 0, observations: 0, writtenStatuses: 0))
            await ledger.close()
        }
    }

    @Test(
        "export then import into a new ledger gives back the same ledger",
        arguments: [
            (Kind.sqlite, Kind.sqlite), (.postgres, .postgres), (.sqlite, .postgres), (.postgres, .sqlite),
        ])
    func exportImportRoundTrip(from: Kind, to: Kind) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let original = directory.appendingPathComponent("original.jsonl")
        let copied = directory.appendingPathComponent("copy.jsonl")

        try await withScratch(from) { url in
            let ledger = try await Ledger.open(url, logger: testLogger)
            for index in 0..<3 {
                let cluster = index == 2 ? "staging" : "prod"
                let run = try await ledger.beginRun(cluster: cluster, version: "1.\(index)", started: day(Double(index)))
                try await ledger.finishRun(
                    run, outcome: index == 1 ? .failed : .succeeded, counts: RunCounts(observed: 2, planned: 1, written: 1),
                    finished: day(Double(index), 999),
                    observations: [
                        observation(name: "apps", revision: "main@sha1:\(index)", time: day(Double(index), 7), origin: .event),
                        infra(index),
                    ],
                    writes: [status("\(index)", state: index == 1 ? "failure" : "success", at: day(Double(index), 3))]
                )
            }
            _ = try await ledger.beginRun(cluster: "prod", version: "1.3", started: day(3))  // unfinished
            _ = FileManager.default.createFile(atPath: original.path, contents: nil)
            try await ledger.exportJSONLines(to: try FileHandle(forWritingTo: original))
            await ledger.close()
        }
        try await withScratch(to) { url in
            let copy = try await Ledger.open(url, logger: testLogger)
            let counts = try await copy.importJSONLines(from: try FileHandle(forReadingFrom: original))
            #expect(counts == RowCounts(runs: 4, observations: 6, writtenStatuses: 3))
            _ = FileManager.default.createFile(atPath: copied.path, contents: nil)
            try await copy.exportJSONLines(to: try FileHandle(forWritingTo: copied))
            #expect(try String(contentsOf: copied, encoding: .utf8) == String(contentsOf: original, encoding: .utf8))
            // New runs continue after the imported ids.
            let next = try await copy.beginRun(cluster: "prod", version: "2", started: day(4))
            #expect(next.rawValue == 5)
            // A second import would duplicate runs: refused, nothing written.
            let error = await #expect(throws: LedgerError.self) {
                try await copy.importJSONLines(from: try FileHandle(forReadingFrom: original))
            }
            #expect(error?.description.contains("import into a new ledger") == true)
            #expect(try await copy.stats().runs == 5)
            await copy.close()
        }
        let lines = try String(contentsOf: original, encoding: .utf8).split(separator: "\n")
        let expected = 1 + 4 + 6 + 3  // header, runs, observations, statuses
        #expect(lines.count == expected)
        #expect(lines.first == #"{"ledger":"fluxstamp-ledger","schema":\#(Ledger.schemaVersion)}"#)
    }

    @Test("export times keep their milliseconds through any number of round trips", arguments: [0, 1, 7, 99, 122, 123, 500, 998, 999])
    func exportTimesKeepMilliseconds(milliseconds: Int) throws {
        let stored = Int64(1_763_800_262_000 + milliseconds)
        var date = Milliseconds.date(stored)
        for _ in 0..<3 {
            let line = try JSONLines.encoder().encode(ExportLine(run: RunRecord(
                id: RunID(1), cluster: "c", started: date, finished: nil, version: "1", outcome: nil, counts: RunCounts())))
            date = try #require(try JSONLines.decoder().decode(ExportLine.self, from: line).run).started
            #expect(String(decoding: line, as: UTF8.self).contains(String(format: "T08:31:02.%03dZ", milliseconds)))
        }
        #expect(Milliseconds.from(date) == stored)
    }

    /// A failed observation without a commit or time, whose message needs escaping in JSON.
    func infra(_ index: Int) -> ObservationRecord {
        var record = observation(name: "infra", revision: "v1.\(index)", outcome: .failed, message: "line one\nline \"two\"")
        record.sha = nil
        return record
    }

    @Test("an import with a bad line writes nothing and names the line", arguments: Kind.allCases)
    func importRejectsBadLines(kind: Kind) async throws {
        try await withScratch(kind) { url in
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).jsonl")
            defer { try? FileManager.default.removeItem(at: file) }
            let good =
                #"{"run":{"cluster":"prod","counts":{"failed":0,"observed":0,"planned":0,"unchanged":0,"written":0},"#
                + #""id":1,"started":"2025-06-15T15:06:40.000Z","version":"1"}}"#
            try Data(([#"{"ledger":"fluxstamp-ledger","schema":1}"#, good, #"{"run":{"id":"x"}}"#].joined(separator: "\n")).utf8)
                .write(to: file)
            let ledger = try await Ledger.open(url, logger: testLogger)
            let error = await #expect(throws: LedgerError.self) {
                try await ledger.importJSONLines(from: try FileHandle(forReadingFrom: file))
            }
            guard case .invalidImport(_, let line, _)? = error else {
                Issue.record("expected an import error, got \(String(describing: error))")
                return
            }
            #expect(line == 3)
            #expect(try await ledger.stats().runs == 0)
            await ledger.close()
        }
    }
}
