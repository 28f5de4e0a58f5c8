import Foundation
import Synchronization

/// One process start at a time in this program (see `Process.runSerialized()`).
private let processStart = Mutex(())

extension Process {
    /// Starts the process, one start at a time in this program: Foundation's `Process.run()` on
    /// Linux is not safe to call from several threads at once (seen in the test suite, which starts
    /// processes from many threads: a segfault in `memcpy` inside `Process.run()` while another
    /// thread was in the same call). Only the start is serialized; waiting for the process is not.
    public func runSerialized() throws {
        try processStart.withLock { _ in try run() }
    }
}
