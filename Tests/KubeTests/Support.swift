import FluxstampTesting
import Foundation
import Logging
import Synchronization

@testable import Kube

/// A fresh temporary directory, removed after `body`.
func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kubetests-" + UUID().uuidString)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    return try await body(dir)
}

/// Starts an emulator with the fixtures, runs `body`, shuts it down.
func withEmulator<T>(
    fixtures: [String] = [KubeFixtures.all], serverNames: [String]? = nil, _ body: (KubeAPIEmulator) async throws -> T
) async throws -> T {
    let emulator = try await KubeAPIEmulator.start(fixtures: fixtures, serverNames: serverNames)
    do {
        let result = try await body(emulator)
        await emulator.shutdown()
        return result
    } catch {
        await emulator.shutdown()
        throw error
    }
}

/// A FluxAPI for a kubeconfig text, with fast retries.
func connect(kubeconfig yaml: String, in dir: URL, pageSize: Int = 500, logger: Logger = KubeClient.silentLogger) async throws -> FluxAPI {
    let path = dir.appendingPathComponent("kubeconfig-\(UUID().uuidString.prefix(6))").path
    try yaml.write(toFile: path, atomically: true, encoding: .utf8)
    let connection = try Kubeconfig.load(explicitPath: path, environment: [:], homeDirectory: "/nonexistent")!.connection(context: nil)
    let client = try await KubeClient.connect(
        connection,
        retry: RetryPolicy(
            maxAttempts: 4, baseDelay: .milliseconds(5), maxDelay: .milliseconds(50), requestTimeout: .seconds(10),
            connectTimeout: .seconds(1)), logger: logger, warn: { _ in })
    return FluxAPI(client: client, pageSize: pageSize)
}

/// Runs `body` with the API and shuts the client down afterwards.
func using<T>(_ api: FluxAPI, _ body: (FluxAPI) async throws -> T) async throws -> T {
    do {
        let result = try await body(api)
        await api.client.shutdown()
        return result
    } catch {
        await api.client.shutdown()
        throw error
    }
}

/// The one-line message of whatever `body` throws, or nil.
func errorMessage(_ body: () async throws -> Void) async -> String? {
    do { try await body(); return nil } catch { return (error as? KubeError)?.description ?? "\(error)" }
}

func write(_ text: String, to path: String, executable: Bool = false) throws {
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path) }
}

/// A log handler that keeps every record, so tests can read what a user would see in the log.
struct CapturingLogHandler: LogHandler {
    /// One logged line with its level and metadata, rendered as text.
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
        /// Message and metadata in one string, to search for anything that must not leak.
        var text: String { ([message] + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: " ") }
    }

    /// Shared between the handler copies swift-log makes.
    final class Store: Sendable {
        let records = Mutex<[Record]>([])
        var all: [Record] { records.withLock { $0 } }
    }

    let store: Store
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let record = Record(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" })
        store.records.withLock { $0.append(record) }
    }

    /// A logger at trace level and the store its records go to.
    static func logger() -> (Logger, Store) {
        let store = Store()
        return (Logger(label: "test.kube", factory: { _ in CapturingLogHandler(store: store) }), store)
    }
}
