/// A failure talking to a forge, with a message that names the repository and what to do.
///
/// Messages never contain a credential: transports scrub every secret from any text they quote.
public struct ForgeError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is, for callers that react differently.
    public enum Kind: Sendable, Hashable {
        /// 401: the credential was rejected.
        case unauthorized
        /// 403 (not a rate limit): the credential may not do this.
        case forbidden
        /// 404: the repository or commit does not exist or cannot be seen.
        case notFound
        /// GitHub 422: the commit already has 1000 statuses in this context.
        case statusLimitReached
        /// Another 4xx: the forge refused the request as sent.
        case rejected
        /// The rate limit asked for a wait longer than allowed.
        case rateLimited
        /// 5xx, timeouts or connection errors persisted through every retry.
        case unavailable
        /// The forge answered something that could not be read.
        case invalidResponse
        /// The client cannot be built as configured (credential missing or of the wrong type).
        case configuration
    }

    /// The kind of failure.
    public var kind: Kind
    /// The repository, e.g. `github.com/org/repo`.
    public var repository: String
    /// The HTTP status, when there was one.
    public var httpStatus: Int?
    /// The commit concerned, when the failure is about one commit.
    public var sha: String?
    /// The context concerned, when the failure is about one status.
    public var context: String?
    /// What happened and what to fix, without the repository prefix.
    public var message: String

    /// `repository: message`.
    public var description: String { "\(repository): \(message)" }

    /// A failure.
    public init(_ kind: Kind, repository: String, httpStatus: Int? = nil, sha: String? = nil,
                context: String? = nil, message: String) {
        self.kind = kind
        self.repository = repository
        self.httpStatus = httpStatus
        self.sha = sha
        self.context = context
        self.message = message
    }
}
