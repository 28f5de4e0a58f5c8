import Foundation
import Synchronization

/// What a test can change about the emulated API server while it runs: who may log in, what RBAC
/// denies, which versions are served, injected faults and latency, and continue-token expiry.
public final class KubeAPIControls: Sendable {
    /// An RBAC rule that denies a verb on a resource (in one namespace, or everywhere).
    public struct Denial: Sendable, Equatable {
        /// User the denial applies to; nil for every user.
        public var user: String?
        /// `list` or `get`.
        public var verb: String
        /// Plural resource, e.g. `kustomizations`.
        public var resource: String
        /// Namespace; nil denies at every scope.
        public var namespace: String?
        /// Denies only cluster-wide requests (a user with namespaced Roles only).
        public var clusterScopeOnly: Bool
        /// Creates a denial.
        public init(user: String? = nil, verb: String, resource: String, namespace: String? = nil, clusterScopeOnly: Bool = false) {
            self.user = user
            self.verb = verb
            self.resource = resource
            self.namespace = namespace
            self.clusterScopeOnly = clusterScopeOnly
        }
    }

    /// An injected failure: the next request gets this status instead of its answer.
    public struct Fault: Sendable, Equatable {
        /// HTTP status (429, 500, 503, …).
        public var status: Int
        /// `Retry-After` seconds to send, if any.
        public var retryAfterSeconds: Int?
        /// Creates a fault.
        public init(status: Int, retryAfterSeconds: Int? = nil) {
            self.status = status
            self.retryAfterSeconds = retryAfterSeconds
        }
    }

    struct State: Sendable {
        var tokens: [String: String] = [:]
        var basicUsers: [String: String] = [:]
        var denials: [Denial] = []
        var servedVersions: [String: [String]] = [:]
        var uninstalledGroups: Set<String> = []
        var faults: [Fault] = []
        var latency: Duration?
        var continueTokensToExpire = 0
        /// Tokens already answered with 410: an expired token stays expired (a client that
        /// retries the same request after a lost answer gets 410 again, as from the real API).
        var expiredTokens: Set<String> = []
        var tokenEpoch = 0
        var requests: [String] = []
    }

    let state = Mutex(State())

    init() {}

    /// Accepts `token` as a bearer token for `user`.
    public func allowToken(_ token: String, user: String) { state.withLock { $0.tokens[token] = user } }
    /// Stops accepting `token` (as if it was revoked or rotated away).
    public func revokeToken(_ token: String) { state.withLock { _ = $0.tokens.removeValue(forKey: token) } }
    /// Accepts basic authentication.
    public func allowBasic(user: String, password: String) { state.withLock { $0.basicUsers[user] = password } }
    /// Adds an RBAC denial.
    public func deny(_ denial: Denial) { state.withLock { $0.denials.append(denial) } }
    /// Removes every RBAC denial.
    public func clearDenials() { state.withLock { $0.denials = [] } }
    /// Serves `group` at exactly these versions (e.g. `["v1beta2"]` for an old Flux).
    public func serve(group: String, versions: [String]) { state.withLock { $0.servedVersions[group] = versions } }
    /// Makes a group disappear, as if its CRDs were not installed.
    public func uninstall(group: String) { state.withLock { _ = $0.uninstalledGroups.insert(group) } }
    /// Queues faults; each is returned for one request, in order.
    public func inject(_ faults: [Fault]) { state.withLock { $0.faults += faults } }
    /// Delays every answer.
    public func setLatency(_ latency: Duration?) { state.withLock { $0.latency = latency } }
    /// The next `times` requests that carry a continue token get 410 Gone.
    public func expireNextContinueToken(times: Int = 1) { state.withLock { $0.continueTokensToExpire += times } }
    /// Every continue token handed out so far becomes expired.
    public func expireAllContinueTokens() { state.withLock { $0.tokenEpoch += 1 } }
    /// Requests seen so far, as `GET /path?query user`.
    public var requests: [String] { state.withLock { $0.requests } }
}
