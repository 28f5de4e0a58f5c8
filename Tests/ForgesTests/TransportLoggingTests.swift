import FluxstampTesting
import Forges
import Foundation
import Logging
import Testing

/// A LogHandler that keeps every line it is given, with its metadata, as text.
struct CapturingLogHandler: LogHandler {
    let lines: LockedBox<[String]>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(
        level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
        file: String, function: String, line: UInt
    ) {
        let all = self.metadata.merging(explicit ?? [:]) { $1 }
        let fields = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        lines.withValue { $0.append("\(level) \(message) \(fields)") }
    }
}

@Suite("Transport logging")
struct TransportLoggingTests {
    @Test("retries and rate-limit waits are logged with the repository, the seconds and the resource, never the token")
    func logsWithoutSecrets() async throws {
        let lines = LockedBox<[String]>([])
        let clock = VirtualForgeClock()
        let logger = Logger(label: "test.forge") { _ in CapturingLogHandler(lines: lines) }
        let options = ForgeOptions(writePacing: .unlimited, clock: clock, logger: logger)
        try await withForge(
            .github, emulator: { _ in .init(rateLimitBudget: 2, rateLimitWindow: 30, clock: clock) },
            options: options
        ) { emulator, forge, _ in
            emulator.core.failNext(status: 502)
            for n in 1...3 { try await forge.create(succeeded(sha(n))) }
        }
        let log = lines.get()
        #expect(log.contains { $0.contains("retrying") && $0.contains("problem=502 Bad Gateway") })
        #expect(log.contains { $0.contains("rate") && $0.contains("resource=core") && $0.contains("seconds=") })
        #expect(log.allSatisfy { $0.contains("forge.repository=127.0.0.1:") })
        #expect(!log.contains { $0.contains(ForgeFixture.github.token) || $0.contains("Bearer") || $0.contains("Authorization") })
    }
}
