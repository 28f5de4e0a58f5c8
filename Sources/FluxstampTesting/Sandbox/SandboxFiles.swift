import Foundation

extension Sandbox {
    /// Writes `kubeconfig`, `fluxstamp.yaml` and `sandbox.json` into the directory.
    func writeFiles(kubeCredential: KubeAPIEmulator.Credential) throws {
        try kube.kubeconfig(credential: kubeCredential, contextName: "sandbox")
            .write(to: kubeconfigURL, atomically: true, encoding: .utf8)
        try configYAML.write(to: configURL, atomically: true, encoding: .utf8)
        let data = try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try (String(decoding: data, as: UTF8.self) + "\n").write(to: manifestURL, atomically: true, encoding: .utf8)
    }

    /// `fluxstamp.yaml` for this sandbox: the cluster name, the GitHub emulator as github.com's
    /// API, the generated repositories as local paths, and a cache directory inside the sandbox.
    var configYAML: String {
        func quoted(_ s: String) -> String {
            "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        var lines = [
            "# Written by fluxstamp-sandbox for the sandbox in \(directory.path).",
            "# Use: fluxstamp plan|sync --config \(configURL.path) --kubeconfig \(kubeconfigURL.path)",
            "clusterName: sandbox",
            "cacheDir: \(quoted(cacheURL.path))",
            "forges:",
            "  - host: github.com",
            "    type: github",
            "    apiBaseURL: \(quoted(githubAPIBaseURL))",
        ]
        if scale != nil {
            // The emulator has no write limit: the benchmark measures fluxstamp, not GitHub's pacing.
            lines.append("    writesPerMinute: 0")
        }
        lines.append("repositories:")
        for repository in repositories {
            lines += ["  - url: \(quoted(repository.url))", "    path: \(quoted(repository.path))"]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// What `sandbox.json` holds.
    var manifest: [String: Any] {
        [
            "directory": directory.path,
            "pid": Int(ProcessInfo.processInfo.processIdentifier),
            "kubeAPI": kube.url,
            "kubeconfig": kubeconfigURL.path,
            "config": configURL.path,
            "githubBaseURL": github.baseURL,
            "githubAPIBaseURL": githubAPIBaseURL,
            "githubToken": world.githubToken,
            "githubRepositories": repositories.map { String($0.url.dropFirst("https://github.com/".count)) },
            "repositories": repositories.map { ["url": $0.url, "path": $0.path] },
            "seededStatuses": world.seededStatuses.count,
            "kustomizations": world.kustomizations.map { k -> [String: Any] in
                [
                    "name": k.name, "namespace": "flux-system", "path": k.path, "repository": k.repositoryURL, "context": k.context,
                    "ready": k.failure == nil ? "True" : "False", "reason": k.failure?.reason ?? "ReconciliationSucceeded",
                    "lastAppliedRevision": k.lastAppliedRevision, "lastAttemptedRevision": k.lastAttemptedRevision,
                    "history": k.history.map { "main@sha1:\($0.sha)" },
                ]
            },
        ]
    }
}
