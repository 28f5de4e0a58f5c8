import Foundation

#if canImport(Glibc)
    import Glibc
    private let readFile = Glibc.read
#elseif canImport(Darwin)
    import Darwin
    private let readFile = Darwin.read
#endif

extension FileHandle {
    /// Everything left to read, up to end of file, retrying reads a signal interrupted (`EINTR`).
    ///
    /// Foundation's `readDataToEndOfFile()` traps when a read is interrupted, which happens in a
    /// process that receives signals (a test runner's children exiting, SIGTERM handlers); a child
    /// process's output is read with this instead. A read error other than `EINTR` ends the data.
    public func readToEndRetryingInterrupts() -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { readFile(fileDescriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                data.append(contentsOf: buffer[0..<count])
            } else if count < 0, errno == EINTR {
                continue
            } else {
                return data
            }
        }
    }
}
