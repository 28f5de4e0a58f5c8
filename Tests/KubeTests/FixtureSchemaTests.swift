import Foundation
import FluxstampTesting
import Testing

/// Every fixture is valid against the openAPIV3Schema of its CRD in `../shared/flux-crds/`.
@Suite struct FixtureSchemaTests {
    static let crdDirectory: URL = {
        // Tests/KubeTests/FixtureSchemaTests.swift → repository root → ../shared/flux-crds
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.deletingLastPathComponent().appendingPathComponent("shared/flux-crds")
    }()

    static let crdFiles = [
        "Kustomization": "kustomize.toolkit.fluxcd.io_kustomizations.yaml",
        "GitRepository": "source.toolkit.fluxcd.io_gitrepositories.yaml",
        "OCIRepository": "source.toolkit.fluxcd.io_ocirepositories.yaml",
        "Provider": "notification.toolkit.fluxcd.io_providers.yaml",
        "Alert": "notification.toolkit.fluxcd.io_alerts.yaml",
    ]

    @Test(arguments: ["Kustomization", "GitRepository", "OCIRepository", "Provider", "Alert"])
    func fixturesMatchTheCRD(kind: String) throws {
        let path = Self.crdDirectory.appendingPathComponent(Self.crdFiles[kind]!).path
        let crd = try #require(try JSONValue.documents(fromYAML: String(contentsOfFile: path, encoding: .utf8)).first)
        let objects = try JSONValue.documents(fromYAML: KubeFixtures.all).filter { $0["kind"]?.stringValue == kind }
        #expect(!objects.isEmpty)
        for object in objects {
            let apiVersion = try #require(object["apiVersion"]?.stringValue)
            let version = String(apiVersion.split(separator: "/").last!)
            guard case let .array(versions)? = crd.at("spec.versions"),
                  let schema = versions.first(where: { $0["name"]?.stringValue == version })?.at("schema.openAPIV3Schema") else {
                Issue.record("\(kind) \(apiVersion) is not a version of \(path)")
                continue
            }
            let problems = CRDSchemaValidator.validate(object, against: schema)
            #expect(problems.isEmpty, "\(kind) \(object.at("metadata.name")?.stringValue ?? ""): \(problems.joined(separator: "; "))")
        }
    }

    @Test func validatorCatchesTheMistakesItShould() throws {
        let path = Self.crdDirectory.appendingPathComponent(Self.crdFiles["Provider"]!).path
        let crd = try #require(try JSONValue.documents(fromYAML: String(contentsOfFile: path, encoding: .utf8)).first)
        guard case let .array(versions)? = crd.at("spec.versions"), let schema = versions.first?.at("schema.openAPIV3Schema") else { Issue.record("no schema"); return }
        let bad = try #require(try JSONValue.documents(fromYAML: """
        apiVersion: notification.toolkit.fluxcd.io/v1beta3
        kind: Provider
        metadata: {name: p, namespace: n}
        spec: {type: githb, suspend: "yes", adress: x}
        """).first)
        let problems = CRDSchemaValidator.validate(bad, against: schema)
        #expect(problems.contains { $0.contains("spec.type") && $0.contains("not one of") })
        #expect(problems.contains { $0.contains("spec.suspend") && $0.contains("boolean") })
        #expect(problems.contains { $0.contains("spec.adress") && $0.contains("unknown field") })
    }
}

/// A structural-schema checker for the subset of OpenAPI v3 the Flux CRDs use: type, required,
/// enum, properties (unknown fields rejected unless preserved), additionalProperties, items,
/// x-kubernetes-int-or-string, minLength/maxLength and pattern.
enum CRDSchemaValidator {
    static func validate(_ value: JSONValue, against schema: JSONValue, path: String = "") -> [String] {
        var problems: [String] = []
        let at = path.isEmpty ? "<root>" : path
        if case .bool(true)? = schema["x-kubernetes-int-or-string"] {
            switch value { case .int, .string: return [] ; default: return ["\(at) must be an integer or string"] }
        }
        if let type = schema["type"]?.stringValue {
            let ok: Bool = switch (type, value) {
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
                for case let .string(key) in required where object[key] == nil { problems.append("\(path.isEmpty ? key : path + "." + key) is required") }
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
