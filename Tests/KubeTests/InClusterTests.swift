import Foundation
import Testing

@testable import Kube

@Suite struct InClusterTests {
    @Test func readsServiceAccountFilesAndRereadsRotatedToken() async throws {
        try await withTemporaryDirectory { dir in
            try write("token-1", to: dir.path + "/token")
            try write("-----BEGIN CERTIFICATE-----\n", to: dir.path + "/ca.crt")
            try write("flux-system\n", to: dir.path + "/namespace")
            let env = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]
            let connection = try ConnectionResolver.resolve(
                kubeconfig: nil, context: nil, environment: env,
                homeDirectory: dir.path + "/nohome", inClusterDirectory: dir.path)
            #expect(connection.server == "https://10.96.0.1:443")
            #expect(connection.namespace == "flux-system")
            #expect(connection.origin == "in-cluster")
            #expect(connection.authorization == .bearerTokenFile(dir.path + "/token"))
            let credentials = Credentials(connection.authorization, server: connection.server)
            #expect(try await credentials.header() == "Bearer token-1")
            try write("token-2", to: dir.path + "/token")
            #expect(try await credentials.header() == "Bearer token-2")
        }
    }

    @Test func missingTokenSaysSo() async throws {
        try await withTemporaryDirectory { dir in
            let env = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]
            let message = await errorMessage { _ = try InClusterConfig.connection(environment: env, directory: dir.path) }
            #expect(message?.contains("service-account token \(dir.path)/token is missing") == true)
        }
    }
}
