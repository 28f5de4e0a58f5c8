import Foundation
import Kube

/// A real HTTP proxy for tests: Debian's `tinyproxy` on 127.0.0.1, in the foreground, optionally
/// with basic auth, its log kept so a test can see which requests went through it.
public final class Tinyproxy: Sendable {
    /// The proxy's address, `http://127.0.0.1:<port>`.
    public let address: String
    private let process: Process
    private let directory: URL

    /// Where Debian installs it (`scripts/setup` does).
    public static let executable = "/usr/bin/tinyproxy"

    struct NotStarted: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts tinyproxy on a free port; with `user` and `password`, it asks for them (407 without).
    public init(user: String? = nil, password: String? = nil) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable) else {
            throw NotStarted(description: "\(Self.executable) is missing: install Debian's tinyproxy (scripts/setup does)")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tinyproxy-" + UUID().uuidString.prefix(8))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let port = try Self.freePort()
        var config = ["Port \(port)", "Listen 127.0.0.1", "Timeout 30", "LogLevel Info", "MaxClients 50", "Allow 127.0.0.1"]
        if let user, let password { config.append("BasicAuth \(user) \(password)") }
        let conf = directory.appendingPathComponent("tinyproxy.conf")
        try config.joined(separator: "\n").write(to: conf, atomically: true, encoding: .utf8)
        let log = directory.appendingPathComponent("tinyproxy.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = ["-d", "-c", conf.path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = try FileHandle(forWritingTo: log)
        try process.runSerialized()
        address = "http://127.0.0.1:\(port)"
        // Ready when the port accepts a connection (bounded: a proxy that never listens fails the test).
        for _ in 0..<200 {
            if Self.accepts(port) { return }
            usleep(25_000)
        }
        process.terminate()
        throw NotStarted(description: "tinyproxy did not listen on port \(port) within 5 s: \(self.log)")
    }

    /// Everything tinyproxy logged.
    public var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("tinyproxy.log"), encoding: .utf8)) ?? ""
    }

    /// The request lines it forwarded or refused (`GET http://host/path HTTP/1.1`, `CONNECT host:443 HTTP/1.1`).
    public var requests: [String] {
        log.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: "Request (file descriptor ") else { return nil }
            return line[range.upperBound...].split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) }
        }
    }

    /// Stops the proxy and removes its files.
    public func stop() {
        // Killed outright and polled: Foundation's waitUntilExit spins a core on a thread without a run loop.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        for _ in 0..<200 where process.isRunning { usleep(10_000) }
        try? FileManager.default.removeItem(at: directory)
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw NotStarted(description: "no free port on 127.0.0.1") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
