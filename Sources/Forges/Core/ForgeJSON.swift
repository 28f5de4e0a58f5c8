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
            throw ForgeError(.invalidResponse, repository: transport.repository.description, httpStatus: response.status,
                             message: "could not read the forge's answer (\(transport.scrub(String(describing: error).prefix(300).description))); is the address a \(transport.repository.kind) server?")
        }
    }

    /// ISO 8601 with or without fractional seconds (Azure sends seven digits) and with `Z` or an offset.
    static func parseDate(_ text: String) -> Date? {
        var text = text
        // Trim fractional seconds to milliseconds: ISO8601DateFormatter reads at most three digits reliably.
        if let dot = text.firstIndex(of: "."), let end = text[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" }) {
            let digits = text[text.index(after: dot)..<end]
            text = String(text[..<dot]) + "." + String(digits.prefix(3)).padding(toLength: 3, withPad: "0", startingAt: 0) + String(text[end...])
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    static func formatDate(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}

extension String {
    /// The text cut to at most `limit` characters (not bytes), as forges count.
    func trimmed(toCharacters limit: Int) -> String {
        count <= limit ? self : String(prefix(limit))
    }

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
