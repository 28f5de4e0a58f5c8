import Foundation

/// RFC 3339 times as the Kubernetes API writes them: `2026-08-01T10:05:00Z`, and with fractional
/// seconds for `MicroTime` fields (`eventTime`) or other writers.
///
/// Uses `Date.ISO8601FormatStyle`, a Sendable value built once, instead of a formatter per call.
public enum RFC3339 {
    private static let whole = Date.ISO8601FormatStyle()
    private static let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// The time `text` names, with or without fractional seconds; nil when it is not RFC 3339.
    public static func parse(_ text: String) -> Date? {
        if let date = try? whole.parse(text) { return date }
        return try? fractional.parse(text)
    }

    /// `date` in UTC without fractional seconds, as the API server writes `metav1.Time`.
    public static func format(_ date: Date) -> String { whole.format(date) }

    /// Decodes a required RFC 3339 string field as a `Date`; a malformed value is a decoding error
    /// that names the field.
    static func decode<K: CodingKey>(_ container: KeyedDecodingContainer<K>, _ key: K) throws -> Date {
        let text = try container.decode(String.self, forKey: key)
        guard let date = parse(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "is not an RFC 3339 time (\(text))")
        }
        return date
    }

    /// Decodes an optional RFC 3339 string field; absent, null and empty are nil.
    static func decodeIfPresent<K: CodingKey>(_ container: KeyedDecodingContainer<K>, _ key: K) throws -> Date? {
        guard let text = try container.decodeIfPresent(String.self, forKey: key), !text.isEmpty else { return nil }
        guard let date = parse(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "is not an RFC 3339 time (\(text))")
        }
        return date
    }
}
