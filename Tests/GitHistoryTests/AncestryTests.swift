import FluxstampTesting
import GitHistory
import Testing

@Suite struct AncestryTests {
    @Test("containment follows all parents, not only the first")
    func contains() throws {
        let repo = try GitFixture()
        let base = try repo.commit("base", ["a": "1"])
        try repo.git("checkout", "-q", "-b", "side")
        let side = try repo.commit("side", ["b": "1"])
        try repo.git("checkout", "-q", "main")
        let mainOnly = try repo.commit("main only", ["c": "1"])
        let merge = try repo.merge("side", message: "merge side")
        let repository = try Repository.open(at: repo.path)
        let id = { (sha: String) in ObjectID(hex: sha)! }
        #expect(try repository.contains(id(side), in: id(merge)))
        #expect(try repository.contains(id(base), in: id(side)))
        #expect(try repository.contains(id(merge), in: id(merge)))
        #expect(try !repository.contains(id(mainOnly), in: id(side)))
        #expect(try !repository.contains(id(merge), in: id(base)))
    }

    @Test("reachability in one walk: commits no ref reaches any more are not reachable, whatever the object store keeps")
    func reachableInOneWalk() throws {
        let repo = try GitFixture()
        let base = try repo.commit("base", ["a": "1"])
        try repo.git("checkout", "-q", "-b", "side")
        let side = try repo.commit("side", ["b": "1"])
        try repo.git("checkout", "-q", "-b", "gone")
        let gone = try repo.commit("force-pushed away", ["c": "1"])
        try repo.git("checkout", "-q", "main")
        let head = try repo.merge("side", message: "merge side")
        try repo.git("branch", "-D", "gone", "side")
        let repository = try Repository.open(at: repo.path)
        let ids = [base, side, gone, head].map { ObjectID(hex: $0)! }
        let reachable = try repository.reachable(Set(ids), fromAny: try repository.refTips())
        #expect(reachable == Set([ids[0], ids[1], ids[3]]))
        for id in ids { #expect(try repository.isReachable(id, fromAny: try repository.refTips()) == reachable.contains(id)) }
    }

    @Test("what a deployment carried: first-parent commits after the previous deployment")
    func carried() throws {
        let repo = try GitFixture()
        let deployed = try repo.commit("deployed before", ["a": "1"])
        let c1 = try repo.commit("c1", ["a": "2"])
        try repo.git("checkout", "-q", "-b", "side")
        try repo.commit("side work", ["b": "1"])
        try repo.git("checkout", "-q", "main")
        let c2 = try repo.commit("c2", ["a": "3"])
        let merge = try repo.merge("side", message: "merge")
        let c3 = try repo.commit("c3", ["a": "4"])
        let repository = try Repository.open(at: repo.path)
        let carried = try repository.carried(after: ObjectID(hex: deployed), upTo: ObjectID(hex: c3)!)
        #expect(carried.map(\.sha) == [c3, merge, c2, c1])
        #expect(try repository.carried(after: ObjectID(hex: c3), upTo: ObjectID(hex: c3)!).isEmpty)
        #expect(try repository.carried(after: nil, upTo: ObjectID(hex: c1)!).map(\.sha) == [c1, deployed])
        // A previous deployment that is not on the chain (a side commit) hides what it contains:
        // c1 is an ancestor of the side branch, so it was already deployed.
        let sideTip = try repository.resolve("side")
        #expect(try repository.carried(after: sideTip, upTo: ObjectID(hex: c3)!).map(\.sha) == [c3, merge, c2])
    }

    @Test("a commit no branch or tag reaches any more (force-pushed away) is not reachable, though it still exists")
    func forcePushedAway() throws {
        let repo = try GitFixture()
        let base = try repo.commit("base", ["a": "1"])
        try repo.git("checkout", "-q", "-b", "doomed")
        let doomed = try repo.commit("applied, then force-pushed away", ["a": "2"])
        try repo.git("checkout", "-q", "main")
        let kept = try repo.commit("kept", ["b": "1"])
        try repo.git("tag", "-a", "v1", "-m", "annotated", base)
        try repo.git("branch", "-D", "doomed")
        let repository = try Repository.open(at: repo.path)
        let tips = try repository.refTips()
        #expect(tips.map(\.hex).contains(kept))
        #expect(try repository.commit(doomed).sha == doomed, "the object is still there")
        #expect(try !repository.isReachable(ObjectID(hex: doomed)!, fromAny: tips))
        #expect(try repository.isReachable(ObjectID(hex: base)!, fromAny: tips))
        #expect(try repository.isReachable(ObjectID(hex: kept)!, fromAny: tips))
    }
}
