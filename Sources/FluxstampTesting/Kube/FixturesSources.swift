extension KubeFixtures {
    /// The `GitRepository` fixtures.
    public static let gitRepositories = """
        apiVersion: source.toolkit.fluxcd.io/v1
        kind: GitRepository
        metadata:
          name: flux-system
          namespace: flux-system
          uid: 2b6c7d8e-7777-4081-9b2c-5e6f708192a3
        spec:
          interval: 1m0s
          url: ssh://git@github.com/acme/fleet
          ref:
            branch: main
          secretRef:
            name: flux-system
        status:
          conditions:
          - type: Ready
            status: "True"
            reason: Succeeded
            message: "stored artifact for revision 'main@sha1:6f1c0e5a4b3d2c1e0f9a8b7c6d5e4f3a2b1c0d9e'"
            lastTransitionTime: "2026-08-01T10:04:00Z"
          artifact:
            digest: sha256:5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d
            lastUpdateTime: "2026-08-01T10:04:00Z"
            path: gitrepository/flux-system/flux-system/6f1c0e5a4b3d2c1e0f9a8b7c6d5e4f3a2b1c0d9e.tar.gz
            revision: main@sha1:6f1c0e5a4b3d2c1e0f9a8b7c6d5e4f3a2b1c0d9e
            size: 48213
            url: "http://source-controller.flux-system.svc.cluster.local./gitrepository/flux-system/flux-system/\\
              6f1c0e5a4b3d2c1e0f9a8b7c6d5e4f3a2b1c0d9e.tar.gz"
        ---
        apiVersion: source.toolkit.fluxcd.io/v1
        kind: GitRepository
        metadata:
          name: podinfo
          namespace: apps
          uid: 3c7d8e9f-8888-4192-8c3d-6f708192a3b4
        spec:
          interval: 5m
          url: https://gitlab.com/acme/podinfo.git
          ref:
            tag: v6.7.1
        status:
          conditions:
          - type: Ready
            status: "True"
            reason: Succeeded
            message: "stored artifact for revision 'v6.7.1@sha1:c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4'"
            lastTransitionTime: "2026-08-01T10:19:00Z"
          artifact:
            digest: sha256:6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e
            lastUpdateTime: "2026-08-01T10:19:00Z"
            path: gitrepository/apps/podinfo/c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4.tar.gz
            revision: v6.7.1@sha1:c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4
            url: "http://source-controller.flux-system.svc.cluster.local./gitrepository/apps/podinfo/\\
              c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4.tar.gz"
        ---
        apiVersion: source.toolkit.fluxcd.io/v1
        kind: GitRepository
        metadata:
          name: web
          namespace: team-b
          uid: 4d8e9f0a-9999-42a3-9d4e-708192a3b4c5
        spec:
          interval: 2m
          url: https://gitea.example.com/team-b/web.git
          ref:
            branch: develop
          secretRef:
            name: web-git
        """

    /// The `OCIRepository` fixtures.
    public static let ociRepositories = """
        apiVersion: source.toolkit.fluxcd.io/v1
        kind: OCIRepository
        metadata:
          name: platform
          namespace: infra
          uid: 5e9f0a1b-aaaa-43b4-8e5f-8192a3b4c5d6
        spec:
          interval: 10m
          url: oci://ghcr.io/acme/platform-manifests
          ref:
            tag: v2.3.0
        status:
          conditions:
          - type: Ready
            status: "True"
            reason: Succeeded
            message: "stored artifact for digest 'v2.3.0@sha256:4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d'"
            lastTransitionTime: "2026-07-29T11:59:00Z"
          url: http://source-controller.flux-system.svc.cluster.local./ocirepository/infra/platform/latest.tar.gz
          artifact:
            digest: sha256:708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f
            lastUpdateTime: "2026-07-29T11:59:00Z"
            path: ocirepository/infra/platform/sha256:4e5f6071.tar.gz
            revision: v2.3.0@sha256:4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d
            url: http://source-controller.flux-system.svc.cluster.local./ocirepository/infra/platform/sha256:4e5f6071.tar.gz
            metadata:
              org.opencontainers.image.created: "2026-07-29T11:30:00Z"
              org.opencontainers.image.source: https://github.com/acme/platform
              org.opencontainers.image.revision: v2.3.0@sha1:d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5
        """

    /// Secrets referenced by sources and providers (values are fake).
    public static let secrets = """
        apiVersion: v1
        kind: Secret
        metadata:
          name: github-token
          namespace: flux-system
        type: Opaque
        data:
          token: Z2hwX2Zha2VfdG9rZW5fZm9yX3Rlc3Rz
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: gitlab-token
          namespace: apps
        type: Opaque
        data:
          token: Z2xwYXQtZmFrZS10b2tlbg==
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: web-git
          namespace: team-b
        type: Opaque
        data:
          username: Z2l0
          password: ZmFrZS1wYXNzd29yZA==
        """
}
