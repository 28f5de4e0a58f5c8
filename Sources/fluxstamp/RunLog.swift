import Foundation

/// Log lines on stderr: one per event, human by default, JSON for clusters. Never given secrets:
/// callers pass error descriptions, which the Kube and Forges layers already keep token-free.
struct RunLog: Sendable {
    var json: Bool

    /// Logs an event with optional fields.
    func info(_ message: String, _ fields: [String: String] = [:]) { emit("info", message, fields) }

    /// Logs an unusable input or a failure (the run goes on).
    func problem(_ message: String, _ fields: [String: String] = [:]) { emit("error", message, fields) }

    private func emit(_ level: String, _ message: String, _ fields: [String: String]) {
        let line: String
        if json {
            var object: [String: String] = fields
            object["level"] = level
            object["msg"] = message
            object["time"] = ISO8601DateFormatter().string(from: Date())
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            line = String(decoding: data, as: UTF8.self)
        } else {
            let extra = fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            line = (level == "error" ? "error: " : "") + message + (extra.isEmpty ? "" : "  " + extra)
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// A one-line progress counter on a terminal (stderr), for long backfills.
final class Progress: @unchecked Sendable {
    private let total: Int
    private let enabled: Bool
    private let lock = NSLock()

    init(total: Int, json: Bool) {
        self.total = total
        enabled = !json && total >= 20 && isatty(STDERR_FILENO) == 1
    }

    func update(_ done: Int) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let width = 30
        let filled = total == 0 ? width : width * done / total
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] \(done)/\(total) written".utf8))
        if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
