// TEMPORARY: stand-ins for APIs that the forges and git-speed branches add; deleted at merge.
import Forges
import Foundation
import GitHistory

typealias SecretValue = Forges.Secret

extension ForgeKind {
    func statusKey(forContext context: String) -> String {
        switch self {
        case .bitbucket, .bitbucketserver: return BitbucketKey.key(forContext: context)
        case .azuredevops: return "fluxcd/\(context)"
        default: return context.lowercased()
        }
    }

    func shows(_ wanted: CommitStatus, current: CommitStatus) -> Bool {
        current.state == wanted.state && current.description == wanted.description
    }
}

