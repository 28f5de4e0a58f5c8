import Foundation

/// JSON encoding and decoding shared by the clients, with the forges' date formats.
enum ForgeJSON {
    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ response: ForgeResponse, from transport: ForgeTransport) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = parseDate(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a date: \(text)"))
            }
            return date
        }
        do {
            return try decoder.decode(type, from: response.body)
        } catch {
            throw ForgeError(
                .invalidResponse, repository: transport.repository.description, httpStatus: response.status,
                message:
                    "could not read the forge's answer (\(transport.scrub(String(describing: error).prefix(300).description))); "
                    + "is the address a \(transport.repository.kind) server?"
            )
        }
    }

    /// ISO 8601 with or without fractional seconds (Azure sends seven digits) and with `Z` or an offset.
    static func parseDate(_ text: String) -> Date? {
        var text = text
        // Cut fractional seconds to milliseconds (Azure sends seven digits), so one style reads them all.
        if let dot = text.firstIndex(of: "."), let end = text[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" }) {
            let digits = text[text.index(after: dot)..<end]
            text =
                String(text[..<dot]) + "." + String(digits.prefix(3)).padding(toLength: 3, withPad: "0", startingAt: 0)
                + String(text[end...])
        }
        if let date = try? Date(text, strategy: withFraction) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle())
    }

    /// RFC 3339 with fractional seconds (a Sendable value, built once).
    private static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
}

extension String {
    /// Percent-encoded as one path segment (`/` included), e.g. a GitLab project path.
    var pathSegmentEncoded: String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#[]@!$&'()*+,;=")
        return addingPercentEncoding(withAllowedCharacters: allowed) ?? self
    }

    /// Percent-encoded for a query value.
    var queryValueEncoded: String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#/")
        return addingPercentEncoding(withAllowedCharacters: allowed) ?? self
    }
}
