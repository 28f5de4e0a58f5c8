/// Why a ledger operation failed. Every case names the ledger by its redacted URL (never a password).
public enum LedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The `--ledger` value does not parse.
    case invalidURL(redacted: String, reason: String)
    /// The server or file could not be reached or opened.
    case unreachable(ledger: String, reason: String)
    /// The file or database holds tables but is not a fluxstamp ledger; it was left untouched.
    case notALedger(ledger: String, found: String)
    /// The ledger was written by a newer fluxstamp (schema version `found`); it was left untouched.
    case newerSchema(ledger: String, found: Int, supported: Int)
    /// A statement failed; `operation` says what the ledger was doing.
    case queryFailed(ledger: String, operation: String, reason: String)
    /// An import line is not a ledger record, or the target ledger is not empty.
    case invalidImport(ledger: String, line: Int, reason: String)
    /// The ledger was used after `close()`.
    case closed(ledger: String)

    /// One line: what failed, where, why, and what to do.
    public var description: String {
        switch self {
        case .invalidURL(let url, let reason):
            return "ledger URL \(url) is invalid: \(reason)"
        case .unreachable(let ledger, let reason):
            return "cannot open ledger \(ledger): \(reason); check the path or server and the --ledger URL"
        case .notALedger(let ledger, let found):
            return "ledger \(ledger) is not a fluxstamp ledger (it holds \(found)); it was not modified; "
                + "point --ledger at a new file or an empty database"
        case .newerSchema(let ledger, let found, let supported):
            return "ledger \(ledger) has schema version \(found), newer than this fluxstamp understands (\(supported)); "
                + "it was not modified; upgrade fluxstamp"
        case .queryFailed(let ledger, let operation, let reason):
            return "ledger \(ledger): \(operation) failed: \(reason)"
        case .invalidImport(let ledger, let line, let reason):
            return "import into ledger \(ledger) stopped at line \(line): \(reason); nothing was imported"
        case .closed(let ledger):
            return "ledger \(ledger) was used after close(); open it again"
        }
    }
}
