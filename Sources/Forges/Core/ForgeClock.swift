import Foundation

/// Time as the forge clients see it. Every wait (Retry-After, rate-limit reset, backoff, write
/// pacing) goes through `sleep(for:)`, so tests can run on a virtual clock.
public protocol ForgeClock: Sendable {
    /// The current time.
    var now: Date { get }
    /// Waits for the given number of seconds (returns at once for zero or less).
    func sleep(for seconds: Double) async throws
}

/// The real clock.
public struct SystemForgeClock: ForgeClock {
    /// The real clock.
    public init() {}
    /// `Date()`.
    public var now: Date { Date() }
    /// `Task.sleep`.
    public func sleep(for seconds: Double) async throws {
        guard seconds > 0 else { return }
        try await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up))))
    }
}
