import FluxstampTesting
import Foundation
import Testing

/// Every fixture is valid against the openAPIV3Schema of its CRD in `../shared/flux-crds/`.
@Suite struct FixtureSchemaTests {
    static let crdDirectory = FluxCRDs.directory
    static let crdFiles = FluxCRDs.files

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
                let schema = versions.first(where: { $0["name"]?.stringValue == version })?.at("schema.openAPIV3Schema")
            else {
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
        guard case let .array(versions)? = crd.at("spec.versions"), let schema = versions.first?.at("schema.openAPIV3Schema") else {
            Issue.record("no schema"); return
        }
        let bad = try #require(
            try JSONValue.documents(
                fromYAML: """
                    apiVersion: notification.toolkit.fluxcd.io/v1beta3
                    kind: Provider
                    metadata: {name: p, namespace: n}
                    spec: {type: githb, suspend: "yes", adress: x}
                    """
            ).first)
        let problems = CRDSchemaValidator.validate(bad, against: schema)
        #expect(problems.contains { $0.contains("spec.type") && $0.contains("not one of") })
        #expect(problems.contains { $0.contains("spec.suspend") && $0.contains("boolean") })
        #expect(problems.contains { $0.contains("spec.adress") && $0.contains("unknown field") })
    }
}
