import Foundation
import Yams

/// A JSON document as a Sendable value: what the Kubernetes emulator stores and serves.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Member `key` of an object.
    public subscript(key: String) -> JSONValue? {
        get { if case let .object(o) = self { return o[key] } else { return nil } }
        set {
            guard case var .object(o) = self else { return }
            o[key] = newValue
            self = .object(o)
        }
    }

    /// The value at a dotted path, e.g. `metadata.name`.
    public func at(_ path: String) -> JSONValue? {
        path.split(separator: ".").reduce(Optional(self)) { $0?[String($1)] }
    }

    /// The string value, if this is a string.
    public var stringValue: String? { if case let .string(s) = self { return s } else { return nil } }

    /// Every document of a (multi-document) YAML text, as JSON values.
    public static func documents(fromYAML yaml: String) throws -> [JSONValue] {
        try Yams.compose_all(yaml: yaml).map { try JSONValue(node: $0) }
    }

    /// Converts a YAML node using the YAML core schema for plain scalars.
    public init(node: Node) throws {
        switch node {
        case let .scalar(scalar):
            guard scalar.style == .plain else { self = .string(scalar.string); return }
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case .null: self = .null
            case .bool: self = Bool.construct(from: scalar).map(JSONValue.bool) ?? .string(scalar.string)
            case .int: self = Int.construct(from: scalar).map(JSONValue.int) ?? .string(scalar.string)
            case .float: self = Double.construct(from: scalar).map(JSONValue.double) ?? .string(scalar.string)
            default: self = .string(scalar.string)
            }
        case let .mapping(mapping):
            var object: [String: JSONValue] = [:]
            for (key, value) in mapping { object[key.string ?? ""] = try JSONValue(node: value) }
            self = .object(object)
        case let .sequence(sequence):
            self = .array(try sequence.map { try JSONValue(node: $0) })
        case .alias:
            throw YamlError.representer(problem: "YAML aliases are not supported in fixtures")
        }
    }

    /// Compact JSON text with sorted keys.
    public var jsonText: String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case let .bool(b): out += b ? "true" : "false"
        case let .int(i): out += String(i)
        case let .double(d): out += d.isFinite ? String(d) : "null"
        case let .string(s): JSONValue.writeString(s, to: &out)
        case let .array(a):
            out += "["
            for (i, v) in a.enumerated() { if i > 0 { out += "," }; v.write(to: &out) }
            out += "]"
        case let .object(o):
            out += "{"
            for (i, key) in o.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                JSONValue.writeString(key, to: &out)
                out += ":"
                o[key]!.write(to: &out)
            }
            out += "}"
        }
    }

    private static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
