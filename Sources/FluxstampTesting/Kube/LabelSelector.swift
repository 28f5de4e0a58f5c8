/// A Kubernetes label selector (`a=b,c!=d,e,!f,g in (x,y),h notin (z)`), as the API server applies it.
public struct LabelSelector: Sendable {
    enum Requirement: Sendable {
        case equals(String, String)
        case notEquals(String, String)
        case exists(String)
        case notExists(String)
        case `in`(String, Set<String>)
        case notIn(String, Set<String>)
    }

    let requirements: [Requirement]

    /// Parses a selector; nil when it is malformed.
    public init?(_ text: String) {
        var parts: [String] = []
        var current = ""
        var depth = 0
        for c in text {
            if c == "(" { depth += 1 } else if c == ")" { depth -= 1 }
            if c == ",", depth == 0 { parts.append(current); current = "" } else { current.append(c) }
        }
        parts.append(current)
        var out: [Requirement] = []
        for raw in parts {
            let part = raw.trimmingCharacters(in: .whitespaces)
            if part.isEmpty { continue }
            if let r = part.range(of: " notin ") ?? part.range(of: " in ") {
                let key = part[..<r.lowerBound].trimmingCharacters(in: .whitespaces)
                let values = part[r.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: " ()"))
                    .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                out.append(part[r].contains("notin") ? .notIn(key, Set(values)) : .in(key, Set(values)))
            } else if let r = part.range(of: "!=") {
                out.append(.notEquals(String(part[..<r.lowerBound]), String(part[r.upperBound...])))
            } else if let r = part.range(of: "==") ?? part.range(of: "=") {
                out.append(.equals(String(part[..<r.lowerBound]), String(part[r.upperBound...])))
            } else if part.hasPrefix("!") {
                out.append(.notExists(String(part.dropFirst())))
            } else if part.allSatisfy({ $0.isLetter || $0.isNumber || "-_./".contains($0) }) {
                out.append(.exists(part))
            } else {
                return nil
            }
        }
        requirements = out
    }

    /// Whether `labels` satisfy every requirement.
    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { r in
            switch r {
            case let .equals(k, v): return labels[k] == v
            case let .notEquals(k, v): return labels[k] != v
            case let .exists(k): return labels[k] != nil
            case let .notExists(k): return labels[k] == nil
            case let .in(k, vs): return labels[k].map(vs.contains) ?? false
            case let .notIn(k, vs): return !(labels[k].map(vs.contains) ?? false)
            }
        }
    }
}

import Foundation
