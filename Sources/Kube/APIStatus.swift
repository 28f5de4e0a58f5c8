import Foundation

/// A Kubernetes `Status` object, the body of every API error (`kind: Status`).
public struct APIStatus: Sendable, Decodable, Equatable {
    /// `Failure` or `Success`.
    public var status: String?
    /// Human-readable explanation from the server.
    public var message: String?
    /// Machine-readable reason (`Forbidden`, `NotFound`, `Expired`, …).
    public var reason: String?
    /// HTTP code repeated in the body.
    public var code: Int?
    /// Extra details such as the resource kind and name.
    public var details: Details?

    /// `details` of a Status.
    public struct Details: Sendable, Decodable, Equatable {
        /// Object name.
        public var name: String?
        /// API group.
        public var group: String?
        /// Resource (plural) or kind.
        public var kind: String?
        /// Seconds the client should wait before retrying.
        public var retryAfterSeconds: Int?
    }

    /// Decodes a Status body, or nil when the body is not one.
    public static func decode(_ body: [UInt8]) -> APIStatus? {
        guard let status = try? JSONDecoder().decode(APIStatus.self, from: Data(body)),
            status.message != nil || status.reason != nil
        else { return nil }
        return status
    }
}
