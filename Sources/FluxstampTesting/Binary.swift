import Foundation
import Kube

/// Finds the built `fluxstamp` executable (or another product) for end-to-end tests.
///
/// Order: the `FLUXSTAMP_BIN_DIR` environment variable, then the directory the test bundle was
/// loaded from (SwiftPM puts test bundles beside the executables it built), then its parents.
public enum BuiltProduct {
    /// The URL of the named executable product, or nil when it was not built.
    public static func url(_ name: String = "fluxstamp") -> URL? {
        var candidates: [URL] = []
        if let dir = ProcessInfo.processInfo.environment["FLUXSTAMP_BIN_DIR"] {
            candidates.append(URL(fileURLWithPath: dir))
        }
        var dir = Bundle.main.bundleURL
        for _ in 0..<4 {
            candidates.append(dir)
            dir = dir.deletingLastPathComponent()
        }
        for base in candidates {
            let url = base.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }
}

/// The captured result of running a command.
public struct CommandResult: Sendable {
    /// The exit status.
    public var status: Int32
    /// Everything written to standard output.
    public var stdout: String
    /// Everything written to standard error.
    public var stderr: String
}

/// Runs an executable with arguments and environment, waits for it and captures its output.
public func runCommand(
    _ executable: URL, _ arguments: [String], environment: [String: String]? = nil,
    currentDirectory: URL? = nil
) throws -> CommandResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let environment { process.environment = environment }
    if let currentDirectory { process.currentDirectoryURL = currentDirectory }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.runSerialized()
    // Read both pipes concurrently so a chatty child never blocks on a full pipe.
    let errData = LockedBox(Data())
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
        errData.set(err.fileHandleForReading.readToEndRetryingInterrupts())
        group.leave()
    }
    let outData = out.fileHandleForReading.readToEndRetryingInterrupts()
    group.wait()
    process.waitUntilExit()
    return CommandResult(
        status: process.terminationStatus,
        stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData.get(), as: UTF8.self))
}

/// Runs a shell command line with `/bin/sh -c` (fixtures use git's own CLI as the reference).
@discardableResult
public func shell(_ script: String, in directory: URL? = nil, environment: [String: String]? = nil) throws -> CommandResult {
    try runCommand(URL(fileURLWithPath: "/bin/sh"), ["-c", script], environment: environment, currentDirectory: directory)
}

/// A value behind a lock, for handing results between threads in test helpers.
public final class LockedBox<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()
    /// Wraps a value.
    public init(_ value: Value) { self.value = value }
    /// Reads the value.
    public func get() -> Value { lock.lock(); defer { lock.unlock() }; return value }
    /// Replaces the value.
    public func set(_ newValue: Value) { lock.lock(); defer { lock.unlock() }; value = newValue }
    /// Changes the value in place and returns what the body returns.
    public func withValue<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock(); defer { lock.unlock() }; return try body(&value)
    }
}
