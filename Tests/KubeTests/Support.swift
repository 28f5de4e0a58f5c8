import Foundation
import FluxstampTesting
@testable import Kube

/// A fresh temporary directory, removed after `body`.
func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kubetests-" + UUID().uuidString)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    return try await body(dir)
}

/// Starts an emulator with the fixtures, runs `body`, shuts it down.
func withEmulator<T>(fixtures: [String] = [KubeFixtures.all], _ body: (KubeAPIEmulator) async throws -> T) async throws -> T {
    let emulator = try await KubeAPIEmulator.start(fixtures: fixtures)
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
func connect(kubeconfig yaml: String, in dir: URL, pageSize: Int = 500) async throws -> FluxAPI {
    let path = dir.appendingPathComponent("kubeconfig-\(UUID().uuidString.prefix(6))").path
    try yaml.write(toFile: path, atomically: true, encoding: .utf8)
    let connection = try Kubeconfig.load(explicitPath: path, environment: [:], homeDirectory: "/nonexistent")!.connection(context: nil)
    let client = try await KubeClient.connect(connection, retry: RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(5), maxDelay: .milliseconds(50), requestTimeout: .seconds(10), connectTimeout: .seconds(1)), warn: { _ in })
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
