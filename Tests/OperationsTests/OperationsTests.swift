import Foundation
import Logging
import Operations
import Reconcile
import Testing

/// The small pure pieces of operating a run: shards, Pushgateway groups, commit links.
@Suite struct OperationsTests {
    @Test(
        "--shard parses i/n with 0 <= i < n",
        arguments: [
            ("0/3", Shard(index: 0, count: 3)), ("2/3", Shard(index: 2, count: 3)), ("0/1", Shard(index: 0, count: 1)),
            ("3/3", nil), ("-1/3", nil), ("1/0", nil), ("1", nil), ("a/b", nil), ("1/3/5", nil), ("", nil),
        ] as [(String, Shard?)])
    func parseShard(text: String, expected: Shard?) {
        #expect(Shard(text) == expected)
    }

    @Test("FNV-1a matches the published 64-bit test vectors, so shards agree across machines and releases")
    func fnvVectors() {
        #expect(Shard.hash("") == 0xcbf2_9ce4_8422_2325)
        #expect(Shard.hash("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(Shard.hash("foobar") == 0x85944171f73967e8)
    }

    @Test("every repository belongs to exactly one shard, and repositories without an address to shard 0")
    func partition() {
        let keys = (0..<200).map { "https://github.com/acme/repo-\($0)" }
        let shards = (0..<3).map { Shard(index: $0, count: 3)! }
        for key in keys { #expect(shards.filter { $0.owns(repository: key) }.count == 1, "\(key)") }
        let sizes = shards.map { shard in keys.filter { shard.owns(repository: $0) }.count }
        #expect(sizes.allSatisfy { $0 > 0 }, "\(sizes)")
        #expect(shards.map { $0.owns(repository: nil) } == [true, false, false])
    }

    @Test(
        "the Pushgateway group of a run: job, cluster, shard; values a path cannot carry use @base64",
        arguments: [
            ("http://gw:9091", "prod-eu", nil, "http://gw:9091/metrics/job/fluxstamp/cluster/prod-eu"),
            ("http://gw:9091/", "prod", 2, "http://gw:9091/metrics/job/fluxstamp/cluster/prod/shard/2"),
            ("https://gw", "eu/west 1", nil, "https://gw/metrics/job/fluxstamp/cluster@base64/ZXUvd2VzdCAx"),
            ("https://gw", "a?b", nil, "https://gw/metrics/job/fluxstamp/cluster@base64/YT9i"),
        ] as [(String, String, Int?, String)])
    func pushURL(base: String, cluster: String, shard: Int?, expected: String) {
        #expect(MetricsExport.pushURL(base: base, cluster: cluster, shard: shard) == expected)
    }

    @Test(
        "a Pushgateway behind basic auth: user and password from the URL (or the password from the environment), sent as a header",
        arguments: [
            ("https://gw:9091/metrics/job/fluxstamp", nil, "https://gw:9091/metrics/job/fluxstamp", nil),
            ("https://ops:s3cret@gw/metrics/job/x", nil, "https://gw/metrics/job/x", "ops:s3cret"),
            ("https://ops@gw/metrics/job/x", "from-secret", "https://gw/metrics/job/x", "ops:from-secret"),
            ("https://ops:in%40url@gw/m", "ignored", "https://gw/m", "ops:in@url"),
        ] as [(String, String?, String, String?)])
    func pushgatewayBasicAuth(url: String, password: String?, expectedURL: String, expectedCredentials: String?) throws {
        let environment = password.map { ["FLUXSTAMP_PUSHGATEWAY_PASSWORD": $0] } ?? [:]
        let target = MetricsExport.authorized(url, environment: environment)
        #expect(target.url == expectedURL)
        let decoded = try target.authorization.map { header -> String in
            #expect(header.hasPrefix("Basic "))
            let data = try #require(Data(base64Encoded: String(header.dropFirst("Basic ".count))))
            return String(decoding: data, as: UTF8.self)
        }
        #expect(decoded == expectedCredentials)
    }

    @Test(
        "commit links per forge",
        arguments: [
            ("https://github.com/acme/fleet", "https://github.com/acme/fleet/commit/abc"),
            ("github.com/acme/fleet", "https://github.com/acme/fleet/commit/abc"),
            ("https://gitlab.com/group/sub/fleet", "https://gitlab.com/group/sub/fleet/-/commit/abc"),
            ("https://bitbucket.org/acme/fleet", "https://bitbucket.org/acme/fleet/commits/abc"),
            ("https://dev.azure.com/acme/project/_git/fleet", "https://dev.azure.com/acme/project/_git/fleet/commit/abc"),
        ])
    func commitURL(repository: String, expected: String) {
        #expect(RunNews.commitURL(repository: repository, sha: "abc") == expected)
    }

    @Test("the metrics file is replaced whole, and the last success is read back from it")
    func metricsFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("fluxstamp.prom").path
        let logger = Logger(label: "test")
        #expect(MetricsExport.lastSuccess(inFile: path) == nil)
        #expect(
            MetricsExport.write(
                "# TYPE fluxstamp_last_success_timestamp_seconds gauge\nfluxstamp_last_success_timestamp_seconds 1700000000.5\n", to: path,
                logger: logger))
        #expect(MetricsExport.lastSuccess(inFile: path) == Date(timeIntervalSince1970: 1_700_000_000.5))
        #expect(MetricsExport.write("# nothing\n", to: path, logger: logger))
        #expect(MetricsExport.lastSuccess(inFile: path) == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["fluxstamp.prom"], "no temporary file is left")
        #expect(!MetricsExport.write("x", to: directory.appendingPathComponent("missing/dir/f.prom").path, logger: logger))
    }
}
