import Foundation

/// The Flux CRDs in `shared/flux-crds/` beside the repository (as CI and the workspace lay it out).
public enum FluxCRDs {
    /// The directory holding the CRD files.
    public static let directory: URL = {
        // Sources/FluxstampTesting/Kube/CRDSchemaValidator.swift → repository root → ../shared/flux-crds
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { root.deleteLastPathComponent() }
        return root.deletingLastPathComponent().appendingPathComponent("shared/flux-crds")
    }()

    /// The CRD file of each kind.
    public static let files = [
        "Kustomization": "kustomize.toolkit.fluxcd.io_kustomizations.yaml",
        "GitRepository": "source.toolkit.fluxcd.io_gitrepositories.yaml",
        "OCIRepository": "source.toolkit.fluxcd.io_ocirepositories.yaml",
        "Provider": "notification.toolkit.fluxcd.io_providers.yaml",
        "Alert": "notification.toolkit.fluxcd.io_alerts.yaml",
    ]

    /// The openAPIV3Schema of `kind` at `version`, or nil when the CRD does not serve that version.
    public static func schema(kind: String, version: String) throws -> JSONValue? {
        guard let file = files[kind] else { return nil }
        let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
        guard let crd = try JSONValue.documents(fromYAML: text).first, case let .array(versions)? = crd.at("spec.versions") else {
            return nil
        }
        return versions.first { $0["name"]?.stringValue == version }?.at("schema.openAPIV3Schema")
    }

    /// Validates every Flux object in a multi-document YAML text; one line per problem, naming the
    /// object. Objects of kinds without a CRD here (Secrets) are skipped.
    public static func problems(inYAML text: String) throws -> [String] {
        var problems: [String] = []
        for object in try JSONValue.documents(fromYAML: text) {
            guard let kind = object["kind"]?.stringValue, files[kind] != nil,
                let apiVersion = object["apiVersion"]?.stringValue
            else { continue }
            let name = object.at("metadata.name")?.stringValue ?? ""
            let version = String(apiVersion.split(separator: "/").last ?? "")
            guard let schema = try schema(kind: kind, version: version) else {
                problems.append("\(kind) \(name): \(apiVersion) is not served by its CRD")
                continue
            }
            problems += CRDSchemaValidator.validate(object, against: schema).map { "\(kind) \(name): \($0)" }
        }
        return problems
    }
}

/// A structural-schema checker for the subset of OpenAPI v3 the Flux CRDs use: type, required,
/// enum, properties (unknown fields rejected unless preserved), additionalProperties, items,
/// x-kubernetes-int-or-string, minLength/maxLength and pattern.
public enum CRDSchemaValidator {
    /// The problems of `value` against `schema`, one line each naming the field; empty when valid.
    public static func validate(_ value: JSONValue, against schema: JSONValue, path: String = "") -> [String] {
        var problems: [String] = []
        let at = path.isEmpty ? "<root>" : path
        if case .bool(true)? = schema["x-kubernetes-int-or-string"] {
            switch value {
            case .int, .string: return [];
            default: return ["\(at) must be an integer or string"]
            }
        }
        if let type = schema["type"]?.stringValue {
            let ok: Bool =
                switch (type, value) {
                case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("integer", .int): true
                case ("number", .int), ("number", .double): true
                default: false
                }
            if !ok { return ["\(at) must be a \(type == "boolean" ? "boolean" : type), got \(value.jsonText)"] }
        }
        if case let .array(options)? = schema["enum"], !options.contains(value) {
            problems.append("\(at) \(value.jsonText) is not one of \(options.map(\.jsonText).joined(separator: ", "))")
        }
        if case let .string(s) = value {
            if case let .int(max)? = schema["maxLength"], s.count > max { problems.append("\(at) longer than \(max)") }
            if case let .int(min)? = schema["minLength"], s.count < min { problems.append("\(at) shorter than \(min)") }
            if let pattern = schema["pattern"]?.stringValue, s.range(of: pattern, options: .regularExpression) == nil {
                problems.append("\(at) \"\(s)\" does not match \(pattern)")
            }
        }
        if case let .object(object) = value {
            if case let .array(required)? = schema["required"] {
                for case let .string(key) in required where object[key] == nil {
                    problems.append("\(path.isEmpty ? key : path + "." + key) is required")
                }
            }
            let properties: [String: JSONValue] = { if case let .object(p)? = schema["properties"] { return p } else { return [:] } }()
            let preserve = schema["x-kubernetes-preserve-unknown-fields"] == .bool(true)
            for (key, child) in object.sorted(by: { $0.key < $1.key }) {
                let childPath = path.isEmpty ? key : path + "." + key
                if let childSchema = properties[key] {
                    problems += validate(child, against: childSchema, path: childPath)
                } else if let additional = schema["additionalProperties"], additional != .bool(false) {
                    problems += validate(child, against: additional, path: childPath)
                } else if !properties.isEmpty && !preserve {
                    problems.append("\(childPath) is an unknown field")
                }
            }
        }
        if case let .array(items) = value, let itemSchema = schema["items"] {
            for (i, item) in items.enumerated() { problems += validate(item, against: itemSchema, path: "\(path)[\(i)]") }
        }
        return problems
    }
}
