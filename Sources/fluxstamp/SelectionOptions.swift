import ArgumentParser

/// Which Kustomizations a command works on, and the configuration file that can say so too: the
/// same flags, help and meaning for `sync`, `plan`, `audit` and `wait`.
struct SelectionOptions: ParsableArguments {
    @Option(help: "fluxstamp.yaml with the settings below; flags override it.")
    var config: String?

    @Option(name: [.customShort("n"), .long], help: "Only Kustomizations in this namespace (default: all namespaces).")
    var namespace: String?

    @Option(name: [.customShort("l"), .long], help: "Label selector for Kustomizations, e.g. tier=apps.")
    var selector: String?

    @Option(name: .long, help: "Only the Kustomization with this name (repeatable).")
    var name: [String] = []

    /// The same selection as `sync` flags, for commands that build `sync`'s settings from theirs.
    var arguments: [String] {
        var arguments: [String] = []
        if let config { arguments += ["--config", config] }
        if let namespace { arguments += ["--namespace", namespace] }
        if let selector { arguments += ["--selector", selector] }
        for name in name { arguments += ["--name", name] }
        return arguments
    }
}

/// Where the source repositories' bare mirrors live, and local repositories to use instead.
struct MirrorOptions: ParsableArguments {
    @Option(help: "Directory for bare mirrors of the source repositories.")
    var cacheDir: String?

    @Option(name: .customLong("repo"), help: "Use a local repository for a URL instead of fetching it: URL=PATH (repeatable).")
    var repositories: [String] = []

    /// The same settings as `sync` flags.
    var arguments: [String] {
        (cacheDir.map { ["--cache-dir", $0] } ?? []) + repositories.flatMap { ["--repo", $0] }
    }
}
