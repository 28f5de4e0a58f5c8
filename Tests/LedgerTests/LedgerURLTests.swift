import Testing

@testable import Ledger

@Suite("LedgerURL")
struct LedgerURLTests {
    @Test(
        "--ledger values parse to a backend, and print without their password",
        arguments: [
            ("sqlite:/var/lib/fluxstamp/ledger.db", "sqlite:/var/lib/fluxstamp/ledger.db"),
            ("sqlite://relative/ledger.db", "sqlite:relative/ledger.db"),
            ("postgres://flux:s3cr%40t@db.example:6543/ledger", "postgres://flux:***@db.example:6543/ledger"),
            ("postgresql://flux@db.example/ledger?sslmode=require", "postgres://flux@db.example:5432/ledger?sslmode=require"),
            ("postgres://flux:pw@db.example", "postgres://flux:***@db.example:5432/flux"),
            ("postgres://flux:pw@10.0.0.5:5432/l?sslmode=verify-full", "postgres://flux:***@10.0.0.5:5432/l?sslmode=verify-full"),
        ])
    func parses(text: String, shown: String) throws {
        let url = try LedgerURL(text)
        #expect(url.description == shown)
    }

    @Test("the password is decoded for the server")
    func password() throws {
        guard case .postgres(let address) = try LedgerURL("postgres://flux:s3cr%40t@db.example/ledger").location else {
            Issue.record("not a PostgreSQL URL")
            return
        }
        #expect(address.password == "s3cr@t" && address.user == "flux" && address.database == "ledger" && address.tls == .prefer)
    }

    @Test(
        "a bad --ledger value says why, and never shows the password",
        arguments: [
            ("mysql://root:hunter2@db/ledger", "unknown scheme"),
            ("sqlite:", "path is empty"),
            ("postgres://root:hunter2@/ledger", "no host"),
            ("postgres://:hunter2@db/ledger", "no user"),
            ("postgres://root:hunter2@db/ledger?sslmode=sometimes", "sslmode sometimes"),
        ])
    func rejects(text: String, reason: String) {
        let error = #expect(throws: LedgerError.self) { try LedgerURL(text) }
        let message = error?.description ?? ""
        #expect(message.contains(reason))
        #expect(!message.contains("hunter2"))
    }
}
