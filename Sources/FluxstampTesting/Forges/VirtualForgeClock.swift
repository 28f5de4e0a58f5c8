import Forges
import Foundation

/// A clock for tests: `sleep(for:)` moves time forward at once instead of waiting, and records
/// every wait. Give the same clock to a forge client and its emulator, and the emulator's
/// request timestamps show whether the client waited long enough, without real long sleeps.
public final class VirtualForgeClock: ForgeClock, Sendable {
    private struct State {
        var current: Date
        var waits: [Double] = []
    }
    private let state: LockedBox<State>

    /// A clock starting at `start`.
    public init(start: Date = Date(timeIntervalSince1970: 1_750_000_000)) { state = LockedBox(State(current: start)) }

    /// The virtual time.
    public var now: Date { state.get().current }

    /// Moves time forward by `seconds` and yields, so other tasks run.
    public func sleep(for seconds: Double) async throws {
        guard seconds > 0 else { return }
        state.withValue { state in
            state.current = state.current.addingTimeInterval(seconds)
            state.waits.append(seconds)
        }
        await Task.yield()
    }

    /// Moves time forward without anyone waiting.
    public func advance(by seconds: Double) { state.withValue { $0.current = $0.current.addingTimeInterval(seconds) } }

    /// Every wait asked for so far, in seconds.
    public var recordedWaits: [Double] { state.get().waits }
}
