import ArgumentParser
import Foundation
import Ledger
import Logging

/// `fluxstamp ledger`: look into the ledger and move it between backends (SPEC section 8).
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Inspect, back up and restore the ledger that sync and plan record into (--ledger).",
        discussion:
            "Exit codes: 0 done; 1 the ledger failed during the operation; 2 bad usage, a URL or file that cannot be used, "
                + "or a database that is not a fluxstamp ledger (nothing written).",
        subcommands: [LedgerStatsCommand.self, LedgerExportCommand.self, LedgerImportCommand.self]
    )
}

/// Where the ledger is: `--ledger`, else the `ledger` key of `--config`.
struct LedgerLocationOptions: ParsableArguments {
    @Option(help: "The ledger: sqlite:PATH or postgres://USER@HOST:PORT/DB (password from PGPASSWORD or the URL).")
    var ledger: String?

    @Option(help: "fluxstamp.yaml whose ledger key names the ledger, when --ledger is not given.")
    var config: String?

    /// The checked URL; a missing or malformed one is a settings error (exit 2).
    func url() throws(CommandError) -> LedgerURL {
        var text = ledger
        var source = "--ledger"
        if text == nil, let path = config {
            do { text = try FluxstampConfig.load(path: path).ledger } catch {
                throw .settings("\(error)")
            }
            source = "config \(path): ledger"
            if text == nil { throw .settings("config \(path) has no ledger key; give --ledger sqlite:PATH or postgres://…") }
        }
        guard let text else { throw .settings("no ledger given: use --ledger sqlite:PATH or postgres://…, or --config FILE") }
        do { return try LedgerURL(text) } catch {
            throw .settings("\(source): \(error)")
        }
    }

    /// Opens the ledger. `create: false` refuses a SQLite file that does not exist yet instead of creating an
    /// empty ledger there (a mistyped path should say so, not print zeros).
    func open(create: Bool) async throws(CommandError) -> Ledger {
        let url = try url()
        LogFormat.human.bootstrap()
        if !create, case .sqlite(let path) = url.location, !FileManager.default.fileExists(atPath: path) {
            throw .settings("ledger \(url) does not exist; check the path, or record a run first with sync --ledger \(url)")
        }
        do { return try await Ledger.open(url, logger: Logger(label: "fluxstamp")) } catch {
            // Not reachable, not a ledger, or newer than this build: nothing was written (exit 2).
            throw .settings(error.description)
        }
    }
}

/// A ledger operation that failed after the ledger was opened: one `error:` line, exit 1.
func ledgerFailure(_ error: LedgerError) -> ExitCode {
    let line = error.description.split(whereSeparator: \.isNewline).joined(separator: "; ")
    FileHandle.standardError.write(Data("error: \(line)\n".utf8))
    return ExitCode(1)
}

/// `fluxstamp ledger stats`: rows per table and, per cluster, its runs and the oldest and newest fact.
struct LedgerStatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Rows per table, and per cluster its runs and its oldest and newest fact.")

    @OptionGroup var location: LedgerLocationOptions

    @Flag(help: "Print JSON (ledger, schemaVersion, bytes, tables, clusters) instead of tables.")
    var json = false

    func run() async throws {
        let ledger = try await location.open(create: false)
        let stats: LedgerStats
        do { stats = try await ledger.stats() } catch {
            await ledger.close()
            throw ledgerFailure(error)
        }
        await ledger.close()
        print(json ? Self.json(stats, url: ledger.url) : Self.table(stats, url: ledger.url), terminator: "")
    }

    static func time(_ date: Date?) -> String {
        date.map { $0.formatted(Date.ISO8601FormatStyle()) } ?? "-"
    }

    /// Two aligned tables: rows per table, then one line per cluster.
    static func table(_ stats: LedgerStats, url: LedgerURL) -> String {
        let size =
            stats.bytes < 1_000_000
            ? "\((stats.bytes + 999) / 1000) kB"
            : "\((Double(stats.bytes) / 1_000_000).formatted(.number.precision(.fractionLength(1)))) MB"
        var out = "ledger \(url) (schema \(stats.schemaVersion), \(size))\n\n"
        out += align([
            ["TABLE", "ROWS"], ["runs", "\(stats.runs)"], ["observations", "\(stats.observations)"],
            ["written_statuses", "\(stats.writtenStatuses)"],
        ], numeric: [1])
        out += "\n"
        if stats.clusters.isEmpty {
            out += "no runs recorded yet\n"
        } else {
            let rows = stats.clusters.map {
                [$0.cluster, "\($0.runs)", "\($0.unfinishedRuns)", "\($0.observations)", time($0.oldestFact), time($0.newestFact)]
            }
            out += align([["CLUSTER", "RUNS", "UNFINISHED", "OBSERVATIONS", "OLDEST FACT", "NEWEST FACT"]] + rows, numeric: [1, 2, 3])
        }
        return out
    }

    /// Columns padded to their widest cell; numeric columns right-aligned.
    static func align(_ rows: [[String]], numeric: Set<Int>) -> String {
        let widths = (0..<(rows.first?.count ?? 0)).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return numeric.contains(column) ? pad + cell : cell + pad
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
        }.joined()
    }

    static func json(_ stats: LedgerStats, url: LedgerURL) -> String {
        let clusters: [[String: Any]] = stats.clusters.map {
            var entry: [String: Any] = [
                "cluster": $0.cluster, "runs": $0.runs, "unfinishedRuns": $0.unfinishedRuns, "observations": $0.observations,
            ]
            if let oldest = $0.oldestFact { entry["oldestFact"] = time(oldest) }
            if let newest = $0.newestFact { entry["newestFact"] = time(newest) }
            return entry
        }
        let document: [String: Any] = [
            "ledger": url.description, "schemaVersion": stats.schemaVersion, "bytes": stats.bytes,
            "tables": ["runs": stats.runs, "observations": stats.observations, "written_statuses": stats.writtenStatuses],
            "clusters": clusters,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]))
        return String(decoding: data ?? Data(), as: UTF8.self) + "\n"
    }
}

/// `fluxstamp ledger export`: the whole ledger as JSON lines, for backups and moving between backends.
struct LedgerExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the whole ledger as JSON lines (a header, then runs, observations, written statuses).",
        discussion: "Restore or move it with `fluxstamp ledger import FILE --ledger URL` into a new, empty ledger.")

    @OptionGroup var location: LedgerLocationOptions

    @Option(help: "Output format; jsonl is the only one.")
    var format = "jsonl"

    @Option(name: [.customShort("o"), .long], help: "Write to this file (replaced only once the export is complete; default: stdout).")
    var output: String?

    func validate() throws {
        guard format == "jsonl" else { throw ValidationError("--format '\(format)': the only export format is jsonl") }
    }

    func run() async throws {
        let ledger = try await location.open(create: false)
        guard let output else {
            do { try await ledger.exportJSONLines(to: FileHandle.standardOutput) } catch {
                await ledger.close()
                throw ledgerFailure(error)
            }
            await ledger.close()
            return
        }
        // A partial export must never pass for a backup: write beside the target, rename when complete.
        let target = URL(fileURLWithPath: output)
        let partial = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).partial")
        guard FileManager.default.createFile(atPath: partial.path, contents: nil), let handle = try? FileHandle(forWritingTo: partial)
        else {
            await ledger.close()
            throw CommandError.settings(
                "--output \(output): cannot create \(partial.path); check that the directory exists and is writable")
        }
        do {
            try await ledger.exportJSONLines(to: handle)
            try handle.close()
            _ = try? FileManager.default.removeItem(at: target)
            try FileManager.default.moveItem(at: partial, to: target)
        } catch {
            try? FileManager.default.removeItem(at: partial)
            await ledger.close()
            if let error = error as? LedgerError { throw ledgerFailure(error) }
            throw ledgerFailure(.queryFailed(ledger: ledger.url.description, operation: "exporting to \(output)", reason: "\(error)"))
        }
        await ledger.close()
    }
}

/// `fluxstamp ledger import FILE`: load an export into a new, empty ledger.
struct LedgerImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load a `ledger export` file into a new, empty ledger (run ids kept; one transaction).")

    @Argument(help: "The export file (JSON lines), or - for stdin.")
    var file: String

    @OptionGroup var location: LedgerLocationOptions

    func run() async throws {
        let handle: FileHandle
        if file == "-" {
            handle = FileHandle.standardInput
        } else {
            guard let opened = FileHandle(forReadingAtPath: file) else {
                throw CommandError.settings("import file \(file) cannot be read; check the path")
            }
            handle = opened
        }
        let ledger = try await location.open(create: true)
        let counts: RowCounts
        do { counts = try await ledger.importJSONLines(from: handle) } catch {
            await ledger.close()
            if case .invalidImport = error { throw CommandError.settings(error.description) }
            throw ledgerFailure(error)
        }
        await ledger.close()
        print(
            "imported \(counts.runs) runs, \(counts.observations) observations and \(counts.writtenStatuses) written statuses "
                + "into \(ledger.url)")
    }
}
