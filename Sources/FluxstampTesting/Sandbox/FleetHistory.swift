import Foundation

/// The fleet repository's history: a GitOps monorepo where changes land in staging and are then
/// promoted to production, with two merged pull requests. 40 first-parent commits, deterministic.
enum FleetHistory {
    static let apps = ["podinfo", "frontend", "backend"]
    static let infrastructure = ["cert-manager", "ingress-nginx", "kube-prometheus-stack"]

    /// Areas a commit can touch (the Kustomization paths, clusters and docs).
    static let areas = [
        "apps/staging", "apps/production", "infrastructure/staging", "infrastructure/production",
        "clusters/staging", "clusters/production", "docs",
    ]

    /// One step of the first-parent chain after the initial layout.
    enum Step {
        case change(String, String)
        case merge(String, [(String, String)])
    }

    /// Message and the one file each commit changes (merges: their side branch's commits).
    static let steps: [Step] = [
        .change("apps/staging: podinfo 6.7.1", "apps/staging/podinfo/deployment.yaml"),
        .change("infrastructure/staging: ingress-nginx 4.11.3", "infrastructure/staging/ingress-nginx/release.yaml"),
        .change("docs: promotion runbook", "docs/promotion.md"),
        .change("apps/production: promote podinfo 6.7.1", "apps/production/podinfo/deployment.yaml"),
        .change("infrastructure/production: ingress-nginx 4.11.3", "infrastructure/production/ingress-nginx/release.yaml"),
        .change("apps/staging: frontend 2.4.0", "apps/staging/frontend/deployment.yaml"),
        .change("clusters/staging: reconcile apps every 5m", "clusters/staging/apps.yaml"),
        .change("apps/staging: backend replicas 3", "apps/staging/backend/deployment.yaml"),
        .change("infrastructure/staging: cert-manager v1.16.2", "infrastructure/staging/cert-manager/release.yaml"),
        .change("apps/production: promote frontend 2.4.0", "apps/production/frontend/deployment.yaml"),
        .change("apps/staging: podinfo 6.7.2", "apps/staging/podinfo/deployment.yaml"),
        .change("infrastructure/production: cert-manager v1.16.2", "infrastructure/production/cert-manager/release.yaml"),
        .merge(
            "Merge pull request #41 from acme/monitoring",
            [
                ("infrastructure/staging: kube-prometheus-stack 65.1.0", "infrastructure/staging/kube-prometheus-stack/release.yaml"),
                ("docs: monitoring dashboards", "docs/monitoring.md"),
            ]),
        .change("apps/production: backend replicas 3", "apps/production/backend/deployment.yaml"),
        .change("apps/staging: frontend 2.4.1", "apps/staging/frontend/deployment.yaml"),
        .change("clusters/production: reconcile apps every 10m", "clusters/production/apps.yaml"),
        .change("infrastructure/staging: ingress-nginx 4.11.4", "infrastructure/staging/ingress-nginx/release.yaml"),
        .change("apps/staging: podinfo 6.7.3", "apps/staging/podinfo/deployment.yaml"),
        .change("apps/production: promote podinfo 6.7.2", "apps/production/podinfo/deployment.yaml"),
        .change("infrastructure/production: kube-prometheus-stack 65.1.0", "infrastructure/production/kube-prometheus-stack/release.yaml"),
        .change("docs: on-call notes", "docs/on-call.md"),
        .change("apps/staging: backend 1.9.0", "apps/staging/backend/deployment.yaml"),
        .change("infrastructure/staging: cert-manager v1.16.3", "infrastructure/staging/cert-manager/release.yaml"),
        .change("apps/production: promote frontend 2.4.1", "apps/production/frontend/deployment.yaml"),
        .change("apps/staging: frontend 2.5.0", "apps/staging/frontend/deployment.yaml"),
        .merge(
            "Merge pull request #57 from acme/podinfo-hpa",
            [
                ("apps/staging: podinfo autoscaling", "apps/staging/podinfo/hpa.yaml"),
                ("apps/production: podinfo autoscaling", "apps/production/podinfo/hpa.yaml"),
            ]),
        .change("infrastructure/production: ingress-nginx 4.11.4", "infrastructure/production/ingress-nginx/release.yaml"),
        .change("infrastructure/staging: kube-prometheus-stack 65.2.0", "infrastructure/staging/kube-prometheus-stack/release.yaml"),
        .change("apps/staging: podinfo 6.7.4", "apps/staging/podinfo/deployment.yaml"),
        .change("apps/production: promote backend 1.9.0", "apps/production/backend/deployment.yaml"),
        .change("clusters/staging: image automation", "clusters/staging/image-automation.yaml"),
        .change("apps/staging: backend 1.9.1", "apps/staging/backend/deployment.yaml"),
        .change("infrastructure/production: cert-manager v1.16.3", "infrastructure/production/cert-manager/release.yaml"),
        .change("infrastructure/staging: ingress-nginx 4.12.0", "infrastructure/staging/ingress-nginx/release.yaml"),
        .change("apps/production: promote podinfo 6.7.4", "apps/production/podinfo/deployment.yaml"),
        .change("apps/staging: frontend 2.5.1", "apps/staging/frontend/deployment.yaml"),
        .change("apps/production: promote frontend 2.5.0", "apps/production/frontend/deployment.yaml"),
        .change("infrastructure/staging: kube-prometheus-stack 66.0.0", "infrastructure/staging/kube-prometheus-stack/release.yaml"),
        .change("apps/staging: podinfo 6.8.0", "apps/staging/podinfo/deployment.yaml"),
    ]

    /// The area (one of `areas`) a file belongs to.
    static func area(of file: String) -> String {
        let parts = file.split(separator: "/")
        return parts.count >= 2 && parts[0] != "docs" ? "\(parts[0])/\(parts[1])" : String(parts[0])
    }

    /// The files of the initial layout.
    static var initialFiles: [String] {
        var files = ["README.md", "docs/architecture.md"]
        for env in ["staging", "production"] {
            files += ["clusters/\(env)/apps.yaml", "clusters/\(env)/infrastructure.yaml"]
            files.append("apps/\(env)/kustomization.yaml")
            for app in apps { files += ["apps/\(env)/\(app)/deployment.yaml", "apps/\(env)/\(app)/kustomization.yaml"] }
            files.append("infrastructure/\(env)/kustomization.yaml")
            for component in infrastructure { files.append("infrastructure/\(env)/\(component)/release.yaml") }
        }
        return files
    }

    /// A file's content at its `version`-th change.
    static func content(_ file: String, version: Int, note: String) -> String {
        "# \(file)\n# \(note)\nrevision: \(version)\nreplicas: \(1 + (version + file.count) % 4)\n"
    }

    /// The fleet's history as a fast-import stream starting at `startTime`.
    static func build(startTime: Int) -> HistoryBuilder {
        var builder = HistoryBuilder(startTime: startTime)
        var versions: [String: Int] = [:]
        func change(_ file: String, _ note: String) -> (path: String, content: String) {
            versions[file, default: 0] += 1
            return (file, content(file, version: versions[file]!, note: note))
        }
        var head = builder.commit(
            "Initial fleet layout", files: initialFiles.map { change($0, "initial layout") },
            parents: [], areas: Set(areas))
        for step in steps {
            switch step {
            case let .change(message, file):
                head = builder.commit(message, files: [change(file, message)], parents: [head], areas: [area(of: file)])
            case let .merge(message, sides):
                // fast-import takes a commit's tree from its first parent: the merge restates what
                // the side branch changed, so its tree is the true merge result.
                var side = head
                var merged: [(path: String, content: String)] = []
                for (sideMessage, file) in sides {
                    let changed = change(file, sideMessage)
                    merged.append(changed)
                    side = builder.commit(ref: "refs/heads/side", sideMessage, files: [changed], parents: [side], areas: [area(of: file)])
                }
                head = builder.commit(message, files: merged, parents: [head, side], areas: Set(sides.map { area(of: $0.1) }))
            }
        }
        return builder
    }
}
