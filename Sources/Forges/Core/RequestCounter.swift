import NIOConcurrencyHelpers

/// Counts the requests one client sends in a run, split into reads and writes.
public final class RequestCounter: Sendable {
    private let counts = NIOLockedValueBox(Counts())

    /// A snapshot of the counts.
    public struct Counts: Sendable, Hashable {
        /// Every request sent, retries included.
        public var total = 0
        /// Requests that read statuses (REST lists and GraphQL queries).
        public var reads = 0
        /// Requests that create statuses.
        public var writes = 0
        /// Token exchanges and lookups (GitHub App).
        public var authentication = 0
        /// Retries (already included in `total`).
        public var retries = 0
    }

    /// An empty counter.
    public init() {}

    /// The counts so far.
    public var snapshot: Counts { counts.withLockedValue { $0 } }

    func record(_ purpose: RequestPurpose, retry: Bool) {
        counts.withLockedValue { counts in
            counts.total += 1
            switch purpose {
            case .read: counts.reads += 1
            case .write: counts.writes += 1
            case .authentication: counts.authentication += 1
            }
            if retry { counts.retries += 1 }
        }
    }
}

/// Why a request is sent: writes are paced, everything is counted.
enum RequestPurpose: Sendable {
    case read, write, authentication
}
