import Crypto
import Foundation

/// Renders Flux objects as YAML in the style of `KubeFixtures` (valid against the Flux CRDs).
enum FluxYAML {
    static func time(_ seconds: Int) -> String {
        Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(.iso8601)
    }

    static func digest(_ text: String) -> String {
        "sha256:" + SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func uid(_ text: String, prefix: String? = nil) -> String {
        let hex = SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
        let head = prefix ?? String(hex.prefix(8))
        func part(_ from: Int, _ count: Int) -> String { String(hex.dropFirst(from).prefix(count)) }
        return "\(head)-\(part(8, 4))-4\(part(12, 3))-8\(part(15, 3))-\(part(18, 12))"
    }

    static func kustomization(_ k: SandboxKustomization, namespace: String) -> String {
        let labels = k.labels.sorted { $0.key < $1.key }.map { "\n    \($0.key): \($0.value)" }.joined()
        let ready: String
        if let failure = k.failure {
            ready = """
                  - type: Ready
                    status: "False"
                    reason: \(failure.reason)
                    message: "\(failure.message)"
                    lastTransitionTime: "\(time(k.history.first?.firstReconciled ?? 0))"
                    observedGeneration: 1
                """
        } else {
            ready = """
                  - type: Ready
                    status: "True"
                    reason: ReconciliationSucceeded
                    message: "Applied revision: \(k.lastAppliedRevision)"
                    lastTransitionTime: "\(time(k.history.first?.firstReconciled ?? 0))"
                    observedGeneration: 1
                """
        }
        let history = k.history.map { s in
            """
              - digest: \(digest("\(k.name)/\(s.sha)/\(s.status)"))
                firstReconciled: "\(time(s.firstReconciled))"
                lastReconciled: "\(time(s.lastReconciled))"
                lastReconciledDuration: \(s.succeeded ? "\(3 + s.firstReconciled % 7).\(s.firstReconciled % 10)s" : "5m0.2s")
                lastReconciledStatus: \(s.status)
                totalReconciliations: \(s.total)
                metadata:
                  revision: main@sha1:\(s.sha)
            """
        }.joined(separator: "\n")
        return """
            apiVersion: kustomize.toolkit.fluxcd.io/v1
            kind: Kustomization
            metadata:
              name: \(k.name)
              namespace: \(namespace)
              uid: \(uid("kustomization/\(k.name)"))
              generation: 1
              labels:
                kustomize.toolkit.fluxcd.io/name: \(k.name)\(labels)
            spec:
              interval: \(k.interval)
              path: \(k.path)
              prune: true
              wait: true
              timeout: 5m
              sourceRef:
                kind: GitRepository
                name: \(k.source)
            status:
              observedGeneration: 1
              conditions:
            \(ready)
              lastAppliedRevision: \(k.lastAppliedRevision)
              lastAttemptedRevision: \(k.lastAttemptedRevision)
              history:
            \(history)
            """
    }

    static func gitRepository(name: String, namespace: String, url: String, headSha: String, time seconds: Int) -> String {
        """
        apiVersion: source.toolkit.fluxcd.io/v1
        kind: GitRepository
        metadata:
          name: \(name)
          namespace: \(namespace)
          uid: \(uid("gitrepository/\(name)"))
        spec:
          interval: 1m0s
          url: \(url)
          ref:
            branch: main
        status:
          observedGeneration: 1
          conditions:
          - type: Ready
            status: "True"
            reason: Succeeded
            message: "stored artifact for revision 'main@sha1:\(headSha)'"
            lastTransitionTime: "\(time(seconds))"
          artifact:
            digest: \(digest("artifact/\(name)/\(headSha)"))
            lastUpdateTime: "\(time(seconds))"
            path: gitrepository/\(namespace)/\(name)/\(headSha).tar.gz
            revision: main@sha1:\(headSha)
            size: 48213
            url: http://source-controller.flux-system.svc.cluster.local./gitrepository/\(namespace)/\(name)/\(headSha).tar.gz
        """
    }

    static func provider(name: String, namespace: String, uid: String, address: String, secret: String) -> String {
        """
        apiVersion: notification.toolkit.fluxcd.io/v1beta3
        kind: Provider
        metadata:
          name: \(name)
          namespace: \(namespace)
          uid: \(uid)
        spec:
          type: github
          address: \(address)
          secretRef:
            name: \(secret)
        """
    }

    static func alert(name: String, namespace: String, provider: String, matchLabels: [String: String] = [:]) -> String {
        let labels =
            matchLabels.isEmpty
            ? "" : "\n    matchLabels:" + matchLabels.sorted { $0.key < $1.key }.map { "\n      \($0.key): \($0.value)" }.joined()
        return """
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Alert
            metadata:
              name: \(name)
              namespace: \(namespace)
              uid: \(uid("alert/\(name)"))
            spec:
              providerRef:
                name: \(provider)
              eventSeverity: info
              eventSources:
              - kind: Kustomization
                name: "*"\(labels)
            """
    }

    static func secret(name: String, namespace: String, token: String) -> String {
        """
        apiVersion: v1
        kind: Secret
        metadata:
          name: \(name)
          namespace: \(namespace)
        type: Opaque
        data:
          token: \(Data(token.utf8).base64EncodedString())
        """
    }
}
