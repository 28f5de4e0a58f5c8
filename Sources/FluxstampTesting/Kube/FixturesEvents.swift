extension KubeFixtures {
    /// Core `v1` Events as kustomize-controller records them through client-go's recorder
    /// (`firstTimestamp`/`lastTimestamp`/`count`, `eventTime: null`), one as an `events.k8s.io/v1`
    /// writer leaves it (`eventTime` and `series`), and two that a Kustomization reader must skip
    /// (a GitRepository's, and one about a Kustomization of another API group).
    public static let events = """
        apiVersion: v1
        kind: Event
        metadata:
          name: flux-system.18a2b3c4d5e6f701
          namespace: flux-system
          annotations:
            kustomize.toolkit.fluxcd.io/revision: main@sha1:a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4
        involvedObject:
          apiVersion: kustomize.toolkit.fluxcd.io/v1
          kind: Kustomization
          name: flux-system
          namespace: flux-system
          uid: 3f0e8a52-1111-4a6b-9c2d-0e1f2a3b4c5d
        reason: HealthCheckFailed
        message: "health check failed after 5m0.0s: timeout waiting for: [Deployment/apps/web status: 'InProgress']"
        type: Warning
        count: 2
        firstTimestamp: "2026-08-01T09:58:00Z"
        lastTimestamp: "2026-08-01T10:02:00Z"
        eventTime: null
        source:
          component: kustomize-controller
        ---
        apiVersion: v1
        kind: Event
        metadata:
          name: flux-system.18a2b3c4d5e6f702
          namespace: flux-system
          annotations:
            kustomize.toolkit.fluxcd.io/revision: main@sha1:6f1c0e5a4b3d2c1e0f9a8b7c6d5e4f3a2b1c0d9e
            kustomize.toolkit.fluxcd.io/commit_status: update
        involvedObject:
          apiVersion: kustomize.toolkit.fluxcd.io/v1
          kind: Kustomization
          name: flux-system
          namespace: flux-system
        reason: ReconciliationSucceeded
        message: Reconciliation finished in 1.204s, next run in 10m0s
        type: Normal
        count: 1
        firstTimestamp: "2026-08-01T10:05:00Z"
        lastTimestamp: "2026-08-01T10:05:00Z"
        eventTime: null
        source:
          component: kustomize-controller
        ---
        apiVersion: v1
        kind: Event
        metadata:
          name: podinfo.18a2b3c4d5e6f703
          namespace: apps
          annotations:
            kustomize.toolkit.fluxcd.io/revision: v6.7.0@sha1:b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3
        involvedObject:
          apiVersion: kustomize.toolkit.fluxcd.io/v1
          kind: Kustomization
          name: podinfo
          namespace: apps
        reason: HealthCheckFailed
        message: "health check failed after 2m0.0s: timeout waiting for: [Deployment/apps/podinfo status: 'Failed']"
        type: Warning
        firstTimestamp: null
        lastTimestamp: null
        eventTime: "2026-08-01T10:10:00.250000Z"
        series:
          count: 4
          lastObservedTime: "2026-08-01T10:40:00.500000Z"
        reportingComponent: kustomize-controller
        ---
        apiVersion: v1
        kind: Event
        metadata:
          name: podinfo.18a2b3c4d5e6f704
          namespace: apps
        involvedObject:
          apiVersion: source.toolkit.fluxcd.io/v1
          kind: GitRepository
          name: podinfo
          namespace: apps
        reason: NewArtifact
        message: "stored artifact for commit 'Release v6.7.0'"
        type: Normal
        count: 1
        firstTimestamp: "2026-08-01T10:00:00Z"
        lastTimestamp: "2026-08-01T10:00:00Z"
        source:
          component: source-controller
        ---
        apiVersion: v1
        kind: Event
        metadata:
          name: legacy.18a2b3c4d5e6f705
          namespace: team-b
        involvedObject:
          apiVersion: kustomize.config.k8s.io/v1beta1
          kind: Kustomization
          name: legacy
          namespace: team-b
        reason: Other
        message: not a Flux Kustomization
        type: Normal
        count: 1
        firstTimestamp: "2026-08-01T10:00:00Z"
        lastTimestamp: "2026-08-01T10:00:00Z"
        """
}
