import Foundation
import Logging
import Synchronization

/// How log lines look on stderr: one per event, human by default, JSON for clusters.
enum LogFormat: String, CaseIterable, Sendable {
    case human, json

    /// Installs the process-wide handler (once; later calls keep the first format).
    func bootstrap() {
        LogFormat.installed.withLock { installed in
            guard !installed else { return }
            installed = true
            let format = self
            LoggingSystem.bootstrap { label in StderrLogHandler(label: label, format: format) }
        }
    }

    private static let installed = Mutex(false)
}

/// A swift-log handler writing one line per event to stderr. Human lines are the message, with
/// `error: ` or `note: ` in front for errors and notices, and `key=value` fields after two spaces;
/// JSON lines carry `level`, `msg`, `time` and the fields, numbers as numbers and booleans as
/// booleans. Callers never pass secrets: error descriptions from Kube and Forges are token-free.
struct StderrLogHandler: LogHandler {
    let label: String
    let format: LogFormat
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = ProcessInfo.processInfo.environment["FLUXSTAMP_DEBUG"] == nil ? .info : .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { _, new in new } }
        let line: String
        switch format {
        case .json:
            var object: [String: Any] = fields.mapValues(Self.jsonValue)
            object["level"] = event.level.rawValue
            object["msg"] = event.message.description
            object["time"] = Date().formatted(.iso8601)
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            line = String(decoding: data, as: UTF8.self)
        case .human:
            let prefix = event.level >= .error ? "error: " : event.level == .notice ? "note: " : event.level == .warning ? "warning: " : ""
            let extra = fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            line = prefix + event.message.description + (extra.isEmpty ? "" : "  " + extra)
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// A metadata value as JSON: integers, doubles and booleans stay numbers and booleans.
    static func jsonValue(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let text): return text
        case .stringConvertible(let convertible):
            switch convertible {
            case let number as Int: return number
            case let number as Double: return number
            case let flag as Bool: return flag
            default: return convertible.description
            }
        case .array(let values): return values.map(jsonValue)
        case .dictionary(let values): return values.mapValues(jsonValue)
        }
    }
}

/// A one-line progress counter on a terminal (stderr), for long backfills.
final class ProgressBar: Sendable {
    private let enabled: Bool
    private let lock = Mutex(())

    init(json: Bool) {
        enabled = !json && isatty(STDERR_FILENO) == 1
    }

    func update(done: Int, total: Int) {
        guard enabled, total >= 20 else { return }
        lock.withLock { _ in
            let width = 30
            let filled = total == 0 ? width : width * done / total
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            FileHandle.standardError.write(Data("\r[\(bar)] \(done)/\(total) written".utf8))
            if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
        }
    }
}
