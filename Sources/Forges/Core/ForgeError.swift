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
        /// 5xx, timeouts or connection errors persisted through every retry (or the forge's retry
        /// budget ran out); or the forge had been judged unavailable and the request was not sent
        /// (`wasSent` false).
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
    /// False when the request was never sent: the forge had been judged unavailable earlier in the
    /// run (`unavailable`, see `ForgeOptions.breakerThreshold`). Every such error of one repository
    /// carries the same message, so a caller can print it once with a count.
    public var wasSent = true

    /// `repository: message`.
    public var description: String { "\(repository): \(message)" }

    /// A failure.
    public init(
        _ kind: Kind, repository: String, httpStatus: Int? = nil, sha: String? = nil,
        context: String? = nil, message: String
    ) {
        self.kind = kind
        self.repository = repository
        self.httpStatus = httpStatus
        self.sha = sha
        self.context = context
        self.message = message
    }
}

extension ForgeError {
    /// The error with a rejected credential's origin named (`Secret flux-system/github-token, key
    /// \`token\``), so the reader knows which Secret to fix; other errors are returned unchanged.
    /// `source` names where the credential came from, never its value.
    public func naming(credentialSource source: String?) -> ForgeError {
        guard kind == .unauthorized, let source, !message.contains(source) else { return self }
        var copy = self
        let plain = "the credential was rejected"
        copy.message =
            message.contains(plain)
            ? message.replacingOccurrences(of: plain, with: "the credential from \(source) was rejected")
            : message + " (credential from \(source))"
        return copy
    }
}

extension Sequence where Element == ForgeError {
    /// One line per distinct problem with how many times it happened, in order of first appearance:
    /// errors are the same problem when kind, repository, HTTP status and message agree (the
    /// commit and context, which differ per write, are left out). A forge judged unavailable gives
    /// one line for the failure that judged it and one for the requests then not sent.
    public func tallied() -> [(problem: ForgeError, count: Int)] {
        var order: [String] = []
        var groups: [String: (problem: ForgeError, count: Int)] = [:]
        for error in self {
            let key = "\(error.kind)\u{0}\(error.repository)\u{0}\(error.httpStatus ?? 0)\u{0}\(error.wasSent)\u{0}\(error.message)"
            if let group = groups[key] {
                groups[key] = (group.problem, group.count + 1)
            } else {
                var problem = error
                problem.sha = nil
                problem.context = nil
                groups[key] = (problem, 1)
                order.append(key)
            }
        }
        return order.compactMap { groups[$0] }
    }
}
