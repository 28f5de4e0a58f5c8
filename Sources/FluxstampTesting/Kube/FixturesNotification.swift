extension KubeFixtures {
    /// The `Provider` fixtures (notification.toolkit.fluxcd.io/v1beta3).
    public static let providers = """
        apiVersion: notification.toolkit.fluxcd.io/v1beta3
        kind: Provider
        metadata:
          name: github-status
          namespace: flux-system
          uid: \(githubProviderUID)
        spec:
          type: github
          address: https://github.com/acme/fleet
          secretRef:
            name: github-token
        ---
        apiVersion: notification.toolkit.fluxcd.io/v1beta3
        kind: Provider
        metadata:
          name: gitlab-status
          namespace: apps
          uid: \(gitlabProviderUID)
        spec:
          type: gitlab
          address: https://gitlab.com/acme/podinfo
          secretRef:
            name: gitlab-token
        ---
        apiVersion: notification.toolkit.fluxcd.io/v1beta3
        kind: Provider
        metadata:
          name: slack
          namespace: apps
          uid: 6f0a1b2c-bbbb-44c5-9f60-92a3b4c5d6e7
        spec:
          type: slack
          channel: deploys
          address: https://hooks.slack.com/services/T000/B000/XXXX
        ---
        apiVersion: notification.toolkit.fluxcd.io/v1beta3
        kind: Provider
        metadata:
          name: gitea-custom
          namespace: team-b
          uid: 7a1b2c3d-cccc-45d6-8a71-a3b4c5d6e7f8
        spec:
          type: gitea
          address: https://gitea.example.com/team-b/web
          commitStatusExpr: "event.involvedObject.kind + '/' + event.involvedObject.name + '/prod'"
        ---
        apiVersion: notification.toolkit.fluxcd.io/v1beta3
        kind: Provider
        metadata:
          name: github-paused
          namespace: infra
          uid: 8b2c3d4e-dddd-46e7-9b82-b4c5d6e7f809
        spec:
          type: github
          address: https://github.com/acme/platform
          suspend: true
          certSecretRef:
            name: platform-ca
          proxySecretRef:
            name: platform-proxy
        """

    /// The `Alert` fixtures (notification.toolkit.fluxcd.io/v1beta3).
    public static let alerts = """
        apiVersion: notification.toolkit.fluxcd.io/v1beta3
        kind: Alert
        metadata:
          name: fleet-status
          namespace: flux-system
        spec:
          providerRef:
            name: github-status
          eventSeverity: info
          eventSources:
          - kind: Kustomization
            name: flux-system
          - kind: Kustomization
            name: "*"
            namespace: apps
            matchLabels:
              tier: apps
        ---
        apiVersion: notification.toolkit.fluxcd.io/v1beta3
        kind: Alert
        metadata:
          name: podinfo-status
          namespace: apps
        spec:
          providerRef:
            name: gitlab-status
          eventSources:
          - kind: Kustomization
            name: podinfo
        ---
        apiVersion: notification.toolkit.fluxcd.io/v1beta3
        kind: Alert
        metadata:
          name: slack-all
          namespace: apps
        spec:
          providerRef:
            name: slack
          eventSeverity: error
          eventSources:
          - kind: Kustomization
            name: "*"
        ---
        apiVersion: notification.toolkit.fluxcd.io/v1beta3
        kind: Alert
        metadata:
          name: web-status
          namespace: team-b
        spec:
          providerRef:
            name: gitea-custom
          eventSources:
          - kind: Kustomization
            name: web
        ---
        apiVersion: notification.toolkit.fluxcd.io/v1beta3
        kind: Alert
        metadata:
          name: platform-status
          namespace: infra
        spec:
          providerRef:
            name: github-paused
          summary: platform rollout
          eventMetadata:
            env: staging
            summary: overridden by spec.summary
          inclusionList:
          - "^Reconciliation finished"
          - "failed"
          exclusionList:
          - "dependency '.*' is not ready"
          eventSources:
          - kind: Kustomization
            name: infra-controllers
        """
}
