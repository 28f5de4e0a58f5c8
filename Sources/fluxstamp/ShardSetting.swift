import Foundation
import Reconcile

extension Shard {
    /// The shard of this run: `--shard i/n`, else an Indexed Job's `JOB_COMPLETION_INDEX` (set by
    /// Kubernetes) with `JOB_COMPLETIONS` (set in the manifest to the Job's `completions`: Kubernetes
    /// does not pass it); nil when not sharded (no flag and no index, or `n` = 1).
    static func setting(flag: String?, environment: [String: String]) throws -> Shard? {
        if let flag {
            guard let shard = Shard(flag) else {
                throw SettingsError("--shard '\(flag)': use i/n with 0 <= i < n, e.g. --shard 0/3")
            }
            return shard.count == 1 ? nil : shard
        }
        guard let indexText = environment["JOB_COMPLETION_INDEX"] else { return nil }
        guard let countText = environment["JOB_COMPLETIONS"] else {
            throw SettingsError(
                "JOB_COMPLETION_INDEX is \(indexText) (an Indexed Job) but JOB_COMPLETIONS is not set: "
                    + "set it in the manifest to the Job's completions, or pass --shard i/n")
        }
        guard let index = Int(indexText), let count = Int(countText), let shard = Shard(index: index, count: count) else {
            throw SettingsError(
                "JOB_COMPLETION_INDEX '\(indexText)' and JOB_COMPLETIONS '\(countText)' are not a shard i/n with 0 <= i < n")
        }
        return shard.count == 1 ? nil : shard
    }
}
