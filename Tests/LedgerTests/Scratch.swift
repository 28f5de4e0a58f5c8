import Foundation
import Logging
import Testing

@testable import Ledger

/// The two backends every ledger test runs against.
enum Kind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres
    var testDescription: String { rawValue }
}

/// The variable scripts/test sets to the URL of the throwaway PostgreSQL server it starts.
let postgresVariable = "FLUXSTAMP_TEST_POSTGRES_URL"

struct MissingPostgres: Error, CustomStringConvertible {
    var description: String {
        "PostgreSQL ledger tests need \(postgresVariable); run scripts/test, which starts a throwaway server and sets it"
    }
}

let testLogger = Logger(label: "ledger-tests")

/// A new, empty ledger location of one kind: a SQLite file in a temporary directory, or a new PostgreSQL database
/// on the server scripts/test started. Removed after `body`.
func withScratch<T>(_ kind: Kind, _ body: (LedgerURL) async throws -> T) async throws -> T {
    switch kind {
    case .sqlite:
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(LedgerURL(sqlitePath: directory.appendingPathComponent("ledger.db").path))
    case .postgres:
        guard let text = ProcessInfo.processInfo.environment[postgresVariable], !text.isEmpty else {
            // A visible failure, not a skip: a green run must mean PostgreSQL was exercised.
            throw MissingPostgres()
        }
        let server = try LedgerURL(text)
        guard case .postgres(var address) = server.location else { throw MissingPostgres() }
        let admin = try await PostgresBackend.connect(address, logger: testLogger)
        let database = "ledger_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await admin.execute("CREATE DATABASE \(database)")
        address.database = database
        do {
            let result = try await body(LedgerURL(location: .postgres(address)))
            try? await admin.execute("DROP DATABASE \(database) WITH (FORCE)")
            await admin.close()
            return result
        } catch {
            try? await admin.execute("DROP DATABASE \(database) WITH (FORCE)")
            await admin.close()
            throw error
        }
    }
}

/// A second, raw connection to a ledger's database, for setting up foreign data or injecting failures.
func rawConnection(_ url: LedgerURL) async throws -> any LedgerBackend {
    switch url.location {
    case .sqlite(let path): try await SQLiteBackend.open(path: path, logger: testLogger)
    case .postgres(let address): try await PostgresBackend.connect(address, logger: testLogger)
    }
}

/// What a refused open must leave untouched: the SQLite file's bytes, or PostgreSQL's tables and their rows.
func snapshot(_ url: LedgerURL) async throws -> Data {
    switch url.location {
    case .sqlite(let path):
        return try Data(contentsOf: URL(fileURLWithPath: path))
    case .postgres:
        let raw = try await rawConnection(url)
        var text = ""
        let tables = try await raw.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name", []
        )
        for table in tables.compactMap({ $0.first?.text }) {
            text += "table \(table)\n"
            for row in try await raw.query("SELECT * FROM \(table) ORDER BY 1, 2", []) { text += "  \(row)\n" }
        }
        await raw.close()
        return Data(text.utf8)
    }
}

/// A fixed instant plus whole days and milliseconds (the ledger keeps milliseconds).
func day(_ days: Double, _ milliseconds: Double = 0) -> Date {
    Date(timeIntervalSince1970: 1_750_000_000 + days * 86_400 + milliseconds / 1000)
}

func observation(
    cluster: String = "prod", namespace: String = "flux-system", name: String, revision: String,
    outcome: ObservationOutcome = .succeeded, reason: String = "ReconciliationSucceeded", message: String = "Applied",
    time: Date? = nil, origin: ObservationOrigin = .status, sha: String? = nil
) -> ObservationRecord {
    ObservationRecord(
        cluster: cluster, namespace: namespace, name: name, revision: revision,
        sha: sha ?? revision.split(separator: ":").last.map(String.init), outcome: outcome, reason: reason,
        message: message, time: time, origin: origin
    )
}

func status(_ sha: String, context: String = "fluxstamp/prod", state: String = "success", at: Date) -> WrittenStatusRecord {
    WrittenStatusRecord(
        repository: "https://github.com/acme/app", sha: sha, context: context, state: state,
        description: "deployed to prod", writtenAt: at
    )
}
