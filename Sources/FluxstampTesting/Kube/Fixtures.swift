/// Cluster fixtures: YAML shaped like real Flux objects (kustomize-controller v1.7+, source-controller
/// v1, notification-controller v1beta3), valid against the CRDs in `shared/flux-crds/`.
///
/// Namespaces: `flux-system` (the fleet repository), `apps` (a git app and a failing one), `infra`
/// (an OCI source, suspended), `team-b` (in progress, never reconciled, custom commit-status id).
public enum KubeFixtures {
    /// Every fixture, as one multi-document YAML text.
    public static var all: String {
        [kustomizations, gitRepositories, ociRepositories, providers, alerts, secrets, events].joined(separator: "\n---\n")
    }

    /// The uid of `flux-system/github-status`; its commit statuses are `kustomization/<name>/0c9c2e41`.
    public static let githubProviderUID = "0c9c2e41-7b3a-4f5e-9d2a-1f2e3d4c5b6a"
    /// The uid of `apps/gitlab-status`.
    public static let gitlabProviderUID = "5d3e1f20-aa11-4c2d-8e3f-0123456789ab"

    /// The fleet repository's commits, newest first.
    public static let fleetCommits = [
        "6f1c0e5a4b3d2c1e0f9a8b7c6d5e4f3a2b1c0d9e",
        "a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4",
        "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b",
    ]

    /// The `Kustomization` fixtures.
    public static let kustomizations = """
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata:
          name: flux-system
          namespace: flux-system
          uid: 3f0e8a52-1111-4a6b-9c2d-0e1f2a3b4c5d
          labels:
            kustomize.toolkit.fluxcd.io/name: flux-system
        spec:
          interval: 10m0s
          path: ./clusters/prod
          prune: true
          sourceRef:
            kind: GitRepository
            name: flux-system
        status:
          observedGeneration: 1
          conditions:
          - type: Ready
            status: "True"
            reason: ReconciliationSucceeded
            message: "Applied revision: main@sha1:6f1c0e5a4b3d2c1e0f9a8b7c6d5e4f3a2b1c0d9e"
            lastTransitionTime: "2026-08-01T10:05:00Z"
            observedGeneration: 1
          lastAppliedRevision: main@sha1:6f1c0e5a4b3d2c1e0f9a8b7c6d5e4f3a2b1c0d9e
          lastAttemptedRevision: main@sha1:6f1c0e5a4b3d2c1e0f9a8b7c6d5e4f3a2b1c0d9e
          history:
          - digest: sha256:9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0
            firstReconciled: "2026-08-01T10:05:00Z"
            lastReconciled: "2026-08-01T10:15:00Z"
            lastReconciledDuration: 2.1s
            lastReconciledStatus: ReconciliationSucceeded
            totalReconciliations: 2
            metadata:
              revision: main@sha1:6f1c0e5a4b3d2c1e0f9a8b7c6d5e4f3a2b1c0d9e
          - digest: sha256:1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809
            firstReconciled: "2026-07-31T16:00:00Z"
            lastReconciled: "2026-08-01T09:55:00Z"
            lastReconciledDuration: 1.8s
            lastReconciledStatus: ReconciliationSucceeded
            totalReconciliations: 108
            metadata:
              revision: main@sha1:a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4
          - digest: sha256:0011223344556677889900aabbccddeeff0011223344556677889900aabbccdd
            firstReconciled: "2026-07-31T15:40:00Z"
            lastReconciled: "2026-07-31T15:50:00Z"
            lastReconciledDuration: 31.2s
            lastReconciledStatus: HealthCheckFailed
            totalReconciliations: 2
            metadata:
              revision: main@sha1:1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b
        ---
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata:
          name: apps
          namespace: apps
          uid: 7c1d2e3f-2222-4b5c-8d9e-0f1a2b3c4d5e
          labels:
            tier: apps
        spec:
          interval: 5m
          path: ./apps/prod
          prune: true
          wait: true
          sourceRef:
            kind: GitRepository
            name: flux-system
            namespace: flux-system
        status:
          conditions:
          - type: Ready
            status: "True"
            reason: ReconciliationSucceeded
            message: "Applied revision: main@sha1:6f1c0e5a4b3d2c1e0f9a8b7c6d5e4f3a2b1c0d9e"
            lastTransitionTime: "2026-08-01T10:06:00Z"
          lastAppliedRevision: main@sha1:6f1c0e5a4b3d2c1e0f9a8b7c6d5e4f3a2b1c0d9e
          lastAttemptedRevision: main@sha1:6f1c0e5a4b3d2c1e0f9a8b7c6d5e4f3a2b1c0d9e
          history:
          - digest: sha256:aa00bb11cc22dd33ee44ff5566778899aa00bb11cc22dd33ee44ff5566778899
            firstReconciled: "2026-08-01T10:06:00Z"
            lastReconciled: "2026-08-01T10:16:00Z"
            lastReconciledDuration: 12.4s
            lastReconciledStatus: ReconciliationSucceeded
            totalReconciliations: 3
            metadata:
              revision: main@sha1:6f1c0e5a4b3d2c1e0f9a8b7c6d5e4f3a2b1c0d9e
        ---
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata:
          name: podinfo
          namespace: apps
          uid: 8d2e3f4a-3333-4c5d-9e0f-1a2b3c4d5e6f
          labels:
            tier: backend
        spec:
          interval: 5m
          path: ./kustomize
          prune: true
          targetNamespace: podinfo
          sourceRef:
            kind: GitRepository
            name: podinfo
        status:
          conditions:
          - type: Ready
            status: "False"
            reason: HealthCheckFailed
            message: "health check failed after 30s: timeout waiting for: [Deployment/podinfo/podinfo status: 'InProgress']"
            lastTransitionTime: "2026-08-01T10:20:00Z"
          lastAppliedRevision: v6.7.0@sha1:b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3
          lastAttemptedRevision: v6.7.1@sha1:c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4
          history:
          - digest: sha256:bb11cc22dd33ee44ff5566778899aa00bb11cc22dd33ee44ff5566778899aa00
            firstReconciled: "2026-08-01T10:20:00Z"
            lastReconciled: "2026-08-01T10:20:00Z"
            lastReconciledDuration: 30.5s
            lastReconciledStatus: HealthCheckFailed
            totalReconciliations: 1
            metadata:
              revision: v6.7.1@sha1:c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4
          - digest: sha256:cc22dd33ee44ff5566778899aa00bb11cc22dd33ee44ff5566778899aa00bb11
            firstReconciled: "2026-07-30T08:00:00Z"
            lastReconciled: "2026-08-01T10:10:00Z"
            lastReconciledDuration: 4.2s
            lastReconciledStatus: ReconciliationSucceeded
            totalReconciliations: 620
            metadata:
              revision: v6.7.0@sha1:b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3
        ---
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata:
          name: infra-controllers
          namespace: infra
          uid: 9e3f4a5b-4444-4d5e-8f0a-2b3c4d5e6f70
        spec:
          interval: 1h
          path: ./
          prune: true
          suspend: true
          sourceRef:
            kind: OCIRepository
            name: platform
        status:
          conditions:
          - type: Ready
            status: "True"
            reason: ReconciliationSucceeded
            message: "Applied revision: v2.3.0@sha256:4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d"
            lastTransitionTime: "2026-07-29T12:00:00Z"
          lastAppliedRevision: v2.3.0@sha256:4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d
          lastAttemptedRevision: v2.3.0@sha256:4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d
          lastAppliedOriginRevision: v2.3.0@sha1:d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5
          history:
          - digest: sha256:dd33ee44ff5566778899aa00bb11cc22dd33ee44ff5566778899aa00bb11cc22
            firstReconciled: "2026-07-29T12:00:00Z"
            lastReconciled: "2026-07-29T13:00:00Z"
            lastReconciledDuration: 8s
            lastReconciledStatus: ReconciliationSucceeded
            totalReconciliations: 2
            metadata:
              revision: v2.3.0@sha256:4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d
              originRevision: v2.3.0@sha1:d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5
        ---
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata:
          name: web
          namespace: team-b
          uid: 0f4a5b6c-5555-4e6f-9a0b-3c4d5e6f7081
        spec:
          interval: 5m
          path: ./deploy
          prune: false
          sourceRef:
            kind: GitRepository
            name: web
        status:
          conditions:
          - type: Ready
            status: Unknown
            reason: Progressing
            message: "Reconciliation in progress"
            lastTransitionTime: "2026-08-01T10:30:00Z"
          lastAttemptedRevision: develop@sha1:e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6
        ---
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata:
          name: legacy
          namespace: team-b
          uid: 1a5b6c7d-6666-4f70-8a1b-4d5e6f708192
          annotations:
            event.toolkit.fluxcd.io/commit: 1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b
            event.toolkit.fluxcd.io/summary: legacy stack
        spec:
          interval: 10m
          path: ./legacy
          prune: true
          sourceRef:
            kind: GitRepository
            name: web
        """
}
