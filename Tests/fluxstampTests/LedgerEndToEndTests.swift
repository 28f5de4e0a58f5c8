import FluxstampTesting
import Foundation
import Kube
import Logging
import Testing

@testable import Ledger

#if canImport(Glibc)
    import Glibc
#endif

/// The ledger through the built binary: `sync --ledger` over the sandbox, a run killed with SIGKILL in the middle
/// of recording, retention, and `fluxstamp ledger stats|export|import`. PostgreSQL cases use the throwaway server
/// scripts/test starts (FLUXSTAMP_TEST_POSTGRES_URL).
@Suite(.serialized) struct LedgerEndToEndTests {
    enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case sqlite, postgres
        var testDescription: String { rawValue }
    }

    static let quiet = Logger(label: "ledger-e2e", factory: { _ in SwiftLogNoOpLogHandler() })

    struct MissingPostgres: Error, CustomStringConvertible {
        var description: String {
            "PostgreSQL cases need FLUXSTAMP_TEST_POSTGRES_URL; run scripts/test, which starts a throwaway server and sets it"
        }
    }

    /// A new, empty ledger: a SQLite file in `directory`, or a new database on the test server (dropped afterwards).
    /// `body` gets the URL to pass to the binary (with its password) and the parsed URL.
    func withLedger<T>(_ backend: Backend, in directory: URL, _ body: (String, LedgerURL) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite:
            let text = "sqlite:" + directory.appendingPathComponent("ledger-\(UUID().uuidString.prefix(8)).db").path
            return try await body(text, try LedgerURL(text))
        case .postgres:
            guard let server = ProcessInfo.processInfo.environment["FLUXSTAMP_TEST_POSTGRES_URL"], !server.isEmpty,
                case .postgres(let address) = try LedgerURL(server).location, var components = URLComponents(string: server)
            else { throw MissingPostgres() }
            let admin = try await PostgresBackend.connect(address, logger: Self.quiet)
            let database = "ledger_e2e_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            try await admin.execute("CREATE DATABASE \(database)")
            components.path = "/" + database
            let text = try #require(components.string)
            let result: Result<T, any Error>
            do { result = .success(try await body(text, try LedgerURL(text))) } catch { result = .failure(error) }
            try? await admin.execute("DROP DATABASE \(database) WITH (FORCE)")
            await admin.close()
            return try result.get()
        }
    }

    /// Starts the demo sandbox in a fresh directory, runs `body`, stops it and removes the directory.
    func withSandbox(_ body: (Sandbox) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-e2e-" + UUID().uuidString.prefix(8))
        defer { try? FileManager.default.removeItem(at: dir) }
        let sandbox = try await Sandbox.start(directory: dir)
        do { try await body(sandbox) } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
    }

    /// Runs the built binary off the cooperative pool.
    func fluxstamp(_ arguments: [String], environment: [String: String] = [:]) async throws -> CommandResult {
        let binary = try #require(BuiltProduct.url(), "build the fluxstamp product first (swift build)")
        return try await Sandbox.offPool {
            try runCommand(binary, arguments, environment: ["HOME": "/nonexistent"].merging(environment) { $1 })
        }
    }

    func flags(_ sandbox: Sandbox) -> [String] {
        ["--config", sandbox.configURL.path, "--kubeconfig", sandbox.kubeconfigURL.path]
    }

    /// Reads the ledger with the library (what audit and the other readers see).
    func read(_ url: LedgerURL) async throws -> (LedgerStats, [RunRecord], [StoredObservation]) {
        let ledger = try await Ledger.open(url, logger: Self.quiet)
        let stats = try await ledger.stats()
        let runs = try await ledger.runs()
        let observations = try await ledger.observations(cluster: "sandbox")
        await ledger.close()
        return (stats, runs, observations)
    }

    @Test("sync --ledger over the sandbox twice: the second run adds a run row and no observation rows", arguments: Backend.allCases)
    func syncTwice(backend: Backend) async throws {
        try await withSandbox { sandbox in
            try await withLedger(backend, in: sandbox.directory) { text, url in
                let first = try await fluxstamp(["sync", "--ledger", text] + flags(sandbox))
                #expect(first.status == 0, "\(first.stderr)")
                let written = try #require(first.stderr.firstMatch(of: /written ([0-9]+)/).flatMap { Int($0.1) })
                #expect(written >= 5)
                let (once, firstRuns, firstFacts) = try await read(url)
                #expect(once.runs == 1 && once.writtenStatuses == written)
                #expect(firstFacts.count == once.observations && once.observations >= sandbox.world.kustomizations.count)
                // Every Kustomization's applied revision is a fact the ledger now holds.
                for k in sandbox.world.kustomizations {
                    #expect(
                        firstFacts.contains {
                            $0.record.name == k.name && $0.record.revision == k.lastAppliedRevision && $0.record.outcome == .succeeded
                        },
                        "\(k.name) \(k.lastAppliedRevision)")
                }
                #expect(Set(firstFacts.map(\.record.origin)).isSuperset(of: [.status, .history]))

                let second = try await fluxstamp(["sync", "--ledger", text] + flags(sandbox))
                #expect(second.status == 0, "\(second.stderr)")
                #expect(second.stderr.contains("written 0"), "\(second.stderr)")
                let (twice, runs, facts) = try await read(url)
                #expect(twice.runs == 2)
                #expect(twice.observations == once.observations, "re-observed facts update their row")
                #expect(twice.writtenStatuses == once.writtenStatuses, "the second run wrote nothing")
                #expect(runs.count == 2 && runs.allSatisfy { $0.finished != nil && $0.outcome == .succeeded && $0.cluster == "sandbox" })
                #expect(runs[0].counts.written == 0 && runs[1].counts.written == written)
                let newest = try #require(runs.first).id
                #expect(Set(facts.map { "\($0.record.name) \($0.record.revision) \($0.record.outcome)" }).count == facts.count)
                #expect(facts.map(\.firstRun) == firstFacts.map(\.firstRun))
                // Facts the cluster still shows (status, history) were seen again by the second run.
                #expect(facts.filter { $0.record.origin != .event }.allSatisfy { $0.lastRun == newest })
                #expect(firstRuns.map(\.id) == [runs[1].id])
            }
        }
    }

    /// A connection that watches for the binary stalled inside its end-of-run transaction.
    struct Stall: Sendable {
        let raw: any LedgerBackend

        /// True while another connection is inside the stalled insert.
        func stalled() async throws -> Bool {
            switch raw.dialect {
            case .sqlite:
                // Busy means another connection holds the write lock: after beginRun, only finishRun takes it.
                do {
                    try await raw.execute("BEGIN IMMEDIATE")
                    try await raw.execute("ROLLBACK")
                    return false
                } catch {
                    return true
                }
            case .postgres:
                let rows = try await raw.query(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep'", [])
                return (rows.first?.first?.int ?? 0) > 0
            }
        }

        /// Removes the trigger and closes the connection.
        func finish() async throws {
            switch raw.dialect {
            case .sqlite:
                #expect(try await raw.query("PRAGMA integrity_check", []) == [[.text("ok")]])
                try await raw.execute("DROP TRIGGER stall")
            case .postgres:
                try await raw.execute("DROP TRIGGER stall ON written_statuses")
            }
            await raw.close()
        }
    }

    /// Makes the binary's end-of-run transaction stall inside its insert of written statuses (after the
    /// observations went in).
    func stallRecording(_ url: LedgerURL) async throws -> Stall {
        let ledger = try await Ledger.open(url, logger: Self.quiet)  // the schema, as the binary will find it
        await ledger.close()
        switch url.location {
        case .sqlite(let path):
            let raw = try await SQLiteBackend.open(path: path, logger: Self.quiet)
            // SQLite has no sleep: the trigger counts a 400-million-row cross join (seconds, holding the write lock).
            try await raw.execute("CREATE TABLE ballast (x INTEGER)")
            try await raw.execute(
                "INSERT INTO ballast WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000) SELECT x FROM c")
            try await raw.execute(
                "CREATE TRIGGER stall BEFORE INSERT ON written_statuses BEGIN SELECT count(*) FROM ballast a, ballast b; END")
            try await raw.execute("PRAGMA busy_timeout = 0")
            return Stall(raw: raw)
        case .postgres(let address):
            let raw = try await PostgresBackend.connect(address, logger: Self.quiet)
            try await raw.execute(
                """
                CREATE FUNCTION stall() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN PERFORM pg_sleep(60); RETURN NEW; END $$
                """)
            try await raw.execute("CREATE TRIGGER stall BEFORE INSERT ON written_statuses FOR EACH ROW EXECUTE FUNCTION stall()")
            // So the server notices the killed client during the sleep and rolls back at once, not after 60 s.
            try await raw.execute("ALTER DATABASE \(address.database) SET client_connection_check_interval = '100ms'")
            return Stall(raw: raw)
        }
    }

    /// Waits until `condition` holds, polling every 50 ms for up to `seconds`.
    func eventually(_ seconds: Double, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// Waits until the process is stalled inside its end-of-run transaction, kills it with SIGKILL there, and waits
    /// until the database has dropped its transaction.
    func killInside(_ process: Process, stall: Stall, log: URL) async throws {
        let inside = try await eventually(120) {
            guard process.isRunning else { return false }
            return try await stall.stalled()
        }
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        try #require(inside, "sync never reached the end-of-run transaction: \(output)")
        try await Task.sleep(for: .milliseconds(300))
        try #require(try await stall.stalled(), "the transaction ended before the kill: \(output)")
        kill(process.processIdentifier, SIGKILL)
        try await Sandbox.offPool { process.waitUntilExit() }
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL)
        // The database has rolled the transaction back once no connection holds it any more.
        #expect(try await eventually(30) { try await !stall.stalled() })
    }

    @Test("kill -9 of sync while it records: the run shows as unfinished and none of its records are there", arguments: Backend.allCases)
    func killedMidRun(backend: Backend) async throws {
        let binary = try #require(BuiltProduct.url(), "build the fluxstamp product first (swift build)")
        try await withSandbox { sandbox in
            try await withLedger(backend, in: sandbox.directory) { text, url in
                let stall = try await stallRecording(url)
                let process = Process()
                process.executableURL = binary
                process.arguments = ["sync", "--ledger", text] + flags(sandbox)
                process.environment = ["HOME": "/nonexistent"]
                let log = sandbox.directory.appendingPathComponent("killed.log")
                _ = FileManager.default.createFile(atPath: log.path, contents: nil)
                process.standardOutput = FileHandle.nullDevice
                process.standardError = try FileHandle(forWritingTo: log)
                process.standardInput = FileHandle.nullDevice
                try process.runSerialized()
                do {
                    try await killInside(process, stall: stall, log: log)
                } catch {
                    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                    await stall.raw.close()
                    throw error
                }

                let (stats, runs, facts) = try await read(url)
                #expect(runs.count == 1)
                #expect(runs.first.map { $0.finished == nil && $0.outcome == nil && $0.counts == RunCounts() } == true)
                #expect(stats.observations == 0 && facts.isEmpty && stats.writtenStatuses == 0, "nothing half-written")
                try await stall.finish()

                // What a user sees, and the next run records normally beside the dead one.
                let shown = try await fluxstamp(["ledger", "stats", "--json", "--ledger", text])
                #expect(shown.status == 0, "\(shown.stderr)")
                let document = try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any]
                let clusters = document?["clusters"] as? [[String: Any]]
                #expect(clusters?.first?["unfinishedRuns"] as? Int == 1)
                let next = try await fluxstamp(["sync", "--ledger", text] + flags(sandbox))
                #expect(next.status == 0, "\(next.stderr)")
                let (after, afterRuns, _) = try await read(url)
                #expect(after.runs == 2 && after.clusters.first?.unfinishedRuns == 1 && after.observations > 0)
                #expect(afterRuns.first?.finished != nil && afterRuns.last?.finished == nil)
            }
        }
    }

    @Test("--ledger-retention prunes what the cluster stopped showing long ago, at the end of the run")
    func retention() async throws {
        try await withSandbox { sandbox in
            try await withLedger(.sqlite, in: sandbox.directory) { text, url in
                let old = Date().addingTimeInterval(-90 * 86_400)
                let ledger = try await Ledger.open(url, logger: Self.quiet)
                let ancient = try await ledger.beginRun(cluster: "sandbox", version: "0.0.1", started: old)
                try await ledger.finishRun(
                    ancient, outcome: .succeeded, counts: RunCounts(observed: 1, written: 1), finished: old,
                    observations: [
                        ObservationRecord(
                            cluster: "sandbox", namespace: "flux-system", name: "retired",
                            revision: "main@sha1:\(String(repeating: "a", count: 40))",
                            sha: String(repeating: "a", count: 40), outcome: .succeeded, reason: "ReconciliationSucceeded", message: "",
                            time: old, origin: .status)
                    ],
                    writes: [
                        WrittenStatusRecord(
                            repository: "https://github.com/acme/fleet", sha: String(repeating: "a", count: 40), context: "old",
                            state: "success", description: "old", writtenAt: old)
                    ])
                await ledger.close()

                let kept = try await fluxstamp(["sync", "--ledger", text, "--ledger-retention", "120d"] + flags(sandbox))
                #expect(kept.status == 0, "\(kept.stderr)")
                let (before, _, _) = try await read(url)
                #expect(before.runs == 2 && before.writtenStatuses > 1)

                let pruned = try await fluxstamp(["sync", "--ledger", text, "--ledger-retention", "30d"] + flags(sandbox))
                #expect(pruned.status == 0, "\(pruned.stderr)")
                #expect(pruned.stderr.contains("ledger retention removed"), "\(pruned.stderr)")
                let (after, runs, facts) = try await read(url)
                #expect(runs.map(\.version).allSatisfy { $0 != "0.0.1" } && after.runs == 2)
                #expect(!facts.contains { $0.record.name == "retired" } && !facts.isEmpty)
                #expect(after.writtenStatuses == before.writtenStatuses - 1)
            }
        }
    }

    @Test(
        "a retention that is not a duration: one line naming the flag or key, exit 2",
        arguments: [
            (["--ledger-retention", "400"], "", "--ledger-retention '400' is not a duration"),
            (["--ledger-retention", "2026-01-01"], "", "--ledger-retention '2026-01-01' is not a duration"),
            (["--ledger-retention=-5d"], "", "--ledger-retention '-5d' is not a duration"),
            ([], "ledgerRetention: soon\n", "ledgerRetention 'soon' is not a duration"),
        ])
    func badRetention(flags: [String], config: String, fragment: String) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-e2e-" + UUID().uuidString.prefix(8))
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let configFile = dir.appendingPathComponent("fluxstamp.yaml")
        try (config + "ledger: sqlite:\(dir.path)/ledger.db\n").write(to: configFile, atomically: true, encoding: .utf8)
        let result = try await fluxstamp(["plan", "--config", configFile.path, "--kubeconfig", "/nonexistent"] + flags)
        #expect(result.status == 2)
        #expect(result.stderr.contains(fragment), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("ledger.db").path), "nothing written")
    }

    @Test("ledger stats, export and import through the binary: a SQLite ledger copied into PostgreSQL and back reads the same")
    func statsExportImport() async throws {
        try await withSandbox { sandbox in
            // The sandbox binary names DIR/ledger.db in fluxstamp.yaml; the library sandbox does not, so say it here.
            let text = "sqlite:" + sandbox.directory.appendingPathComponent("ledger.db").path
            for _ in 0..<2 {
                let sync = try await fluxstamp(["sync", "--ledger", text] + flags(sandbox))
                #expect(sync.status == 0, "\(sync.stderr)")
            }
            let (stats, _, _) = try await read(try LedgerURL(text))

            let table = try await fluxstamp(["ledger", "stats", "--ledger", text])
            #expect(table.status == 0, "\(table.stderr)")
            let lines = table.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            #expect(lines.contains(["runs", "2"]))
            #expect(lines.contains(["observations", "\(stats.observations)"]))
            #expect(lines.contains(["written_statuses", "\(stats.writtenStatuses)"]))
            let cluster = try #require(lines.first { $0.first == "sandbox" }, "\(table.stdout)")
            #expect(cluster.count == 6 && cluster[1] == "2" && cluster[2] == "0" && cluster[3] == "\(stats.observations)")
            #expect(cluster[4] <= cluster[5] && cluster[5].hasSuffix("Z"))

            let json = try await fluxstamp(["ledger", "stats", "--json", "--ledger", text])
            #expect(json.status == 0, "\(json.stderr)")
            let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            let tables = document["tables"] as? [String: Int]
            #expect(tables == ["runs": 2, "observations": stats.observations, "written_statuses": stats.writtenStatuses])
            #expect(document["schemaVersion"] as? Int == Ledger.schemaVersion && document["ledger"] as? String == text)

            let backup = sandbox.directory.appendingPathComponent("backup.jsonl")
            let export = try await fluxstamp(["ledger", "export", "--format", "jsonl", "--output", backup.path, "--ledger", text])
            #expect(export.status == 0, "\(export.stderr)")
            let exported = try String(contentsOf: backup, encoding: .utf8)
            #expect(exported.split(separator: "\n").count == 1 + 2 + stats.observations + stats.writtenStatuses)
            let toStdout = try await fluxstamp(["ledger", "export", "--ledger", text])
            #expect(toStdout.stdout == exported)

            // Into PostgreSQL, out again, into a new SQLite file, out again: the same bytes each time.
            try await withLedger(.postgres, in: sandbox.directory) { pgText, _ in
                let load = try await fluxstamp(["ledger", "import", backup.path, "--ledger", pgText])
                #expect(load.status == 0, "\(load.stderr)")
                #expect(load.stdout.contains("imported 2 runs, \(stats.observations) observations"))
                #expect(!load.stdout.contains(pgPassword(pgText)) && !load.stderr.contains(pgPassword(pgText)))
                let fromPostgres = try await fluxstamp(["ledger", "export", "--ledger", pgText])
                #expect(fromPostgres.status == 0, "\(fromPostgres.stderr)")
                #expect(firstDifference(fromPostgres.stdout, exported) == nil)
                let again = try await fluxstamp(["ledger", "import", backup.path, "--ledger", pgText])
                #expect(again.status == 2 && again.stderr.contains("import into a new ledger"), "\(again.stderr)")

                let copy = "sqlite:" + sandbox.directory.appendingPathComponent("copy.db").path
                let piped = sandbox.directory.appendingPathComponent("from-postgres.jsonl")
                try Data(fromPostgres.stdout.utf8).write(to: piped)
                let back = try await fluxstamp(["ledger", "import", piped.path, "--ledger", copy])
                #expect(back.status == 0, "\(back.stderr)")
                #expect(firstDifference(try await fluxstamp(["ledger", "export", "--ledger", copy]).stdout, exported) == nil)
                // A restored ledger carries on: the next run continues after the imported ids.
                let sync = try await fluxstamp(["sync", "--ledger", copy] + flags(sandbox))
                #expect(sync.status == 0, "\(sync.stderr)")
                let (copied, runs, _) = try await read(try LedgerURL(copy))
                #expect(copied.runs == 3 && copied.observations == stats.observations && runs.first?.id.rawValue == 3)
            }
        }
    }

    /// The first line where two exports differ (both shown), or nil when they are the same.
    func firstDifference(_ one: String, _ other: String) -> String? {
        let a = one.split(separator: "\n", omittingEmptySubsequences: false)
        let b = other.split(separator: "\n", omittingEmptySubsequences: false)
        for index in 0..<max(a.count, b.count) where index >= a.count || index >= b.count || a[index] != b[index] {
            return "line \(index + 1): \(index < a.count ? a[index] : "(end)") vs \(index < b.count ? b[index] : "(end)")"
        }
        return nil
    }

    func pgPassword(_ text: String) -> String { URLComponents(string: text)?.password ?? "\u{0}" }

    @Test("ledger commands refuse what they cannot use: one error line, exit 2, nothing modified")
    func ledgerCommandErrors() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-e2e-" + UUID().uuidString.prefix(8))
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let foreign = dir.appendingPathComponent("app.db")
        let raw = try await SQLiteBackend.open(path: foreign.path, logger: Self.quiet)
        try await raw.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)")
        await raw.close()
        let bytes = try Data(contentsOf: foreign)
        let missing = dir.appendingPathComponent("missing.db")
        let port = 1  // nothing listens on port 1 of the loopback
        let cases: [([String], String)] = [
            (["ledger", "stats", "--ledger", "sqlite:\(foreign.path)"], "is not a fluxstamp ledger (it holds tables users)"),
            (["ledger", "export", "--ledger", "sqlite:\(foreign.path)"], "it was not modified"),
            (["ledger", "import", "/dev/null", "--ledger", "sqlite:\(foreign.path)"], "is not a fluxstamp ledger"),
            (["ledger", "stats", "--ledger", "sqlite:\(missing.path)"], "ledger sqlite:\(missing.path) does not exist"),
            (["ledger", "stats", "--ledger", "mysql://root@db/x"], "unknown scheme"),
            (["ledger", "stats"], "no ledger given"),
            (["ledger", "export", "--format", "csv", "--ledger", "sqlite:\(foreign.path)"], "the only export format is jsonl"),
            (
                ["ledger", "stats", "--ledger", "postgres://fluxstamp:hunter2secret@127.0.0.1:\(port)/ledger?sslmode=disable"],
                "cannot open ledger postgres://fluxstamp:***@127.0.0.1:\(port)/ledger"
            ),
            (["ledger", "import", dir.appendingPathComponent("nope.jsonl").path, "--ledger", "sqlite:\(missing.path)"], "cannot be read"),
        ]
        for (arguments, fragment) in cases {
            let result = try await fluxstamp(arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.hasPrefix("error: ") && result.stderr.contains(fragment), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("hunter2secret") && result.stdout.isEmpty)
        }
        #expect(try Data(contentsOf: foreign) == bytes)
        #expect(!FileManager.default.fileExists(atPath: missing.path))
    }

    @Test("the sandbox binary names a fresh SQLite ledger in its directory, and sync --config records there")
    func sandboxBinaryLedger() async throws {
        let sandboxBinary = try #require(BuiltProduct.url("fluxstamp-sandbox"), "build the fluxstamp-sandbox product first")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-sandbox-" + UUID().uuidString.prefix(8))
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let ledgerFile = dir.standardizedFileURL.appendingPathComponent("ledger.db")
        try Data("left over from an earlier sandbox".utf8).write(to: ledgerFile)
        let process = Process()
        process.executableURL = sandboxBinary
        process.arguments = [dir.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.runSerialized()
        defer { if process.isRunning { process.terminate(); process.waitUntilExit() } }
        let line = try await Sandbox.offPool { () -> String in
            var data = Data()
            while !data.contains(UInt8(ascii: "\n")) {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                data.append(chunk)
            }
            return String(decoding: data, as: UTF8.self)
        }
        #expect(line.hasPrefix("ready "))
        #expect(!FileManager.default.fileExists(atPath: ledgerFile.path), "the earlier ledger was removed")
        let config = dir.appendingPathComponent("fluxstamp.yaml").path
        #expect(try String(contentsOfFile: config, encoding: .utf8).contains("ledger: \"sqlite:\(ledgerFile.path)\""))
        let sync = try await fluxstamp(["sync", "--config", config, "--kubeconfig", dir.appendingPathComponent("kubeconfig").path])
        #expect(sync.status == 0, "\(sync.stderr)")
        let stats = try await fluxstamp(["ledger", "stats", "--json", "--config", config])
        #expect(stats.status == 0, "\(stats.stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any]
        #expect((document?["tables"] as? [String: Int])?["runs"] == 1)
        #expect(document?["ledger"] as? String == "sqlite:\(ledgerFile.path)")
    }
}
