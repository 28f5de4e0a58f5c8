import Dispatch
import FluxstampTesting
import Foundation

/// Waits for SIGTERM or SIGINT. The handlers are Dispatch sources on a global queue, created
/// outside the main actor (top-level code is main-actor isolated, and a main-actor closure run
/// on another queue traps), so a signal never kills the process mid-shutdown.
final class StopSignal: Sendable {
    private let waiter = LockedBox<CheckedContinuation<Void, Never>?>(nil)
    private let signalled = LockedBox(false)
    private let sources: LockedBox<[DispatchSourceSignal]> = LockedBox([])

    /// Installs the handlers.
    nonisolated init() {
        let waiter = waiter, signalled = signalled
        var made: [DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { @Sendable in
                signalled.set(true)
                waiter.withValue {
                    $0?.resume(); $0 = nil
                }
            }
            source.resume()
            made.append(source)
        }
        sources.set(made)
    }

    /// Returns once a stop signal arrived (at once if one already did).
    nonisolated func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            waiter.withValue { slot in
                if signalled.get() { continuation.resume() } else { slot = continuation }
            }
        }
    }
}
