import Foundation
import SystemFiles
import Testing

@Suite struct ExclusiveFileTests {
    private static func scratch() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("exclusive-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private static func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    /// A new file gets exactly the mode asked for, whatever the umask, and holds every byte written.
    @Test func createsWithExactModeAndWritesEverything() throws {
        let directory = try Self.scratch()
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0) }
        let old = umask(0o077)
        defer { umask(old) }
        let secret = try ExclusiveFile(creating: directory + "/secret")
        try secret.write(bytes)
        try secret.sync()
        try secret.close()
        let published = try ExclusiveFile(creating: directory + "/public", mode: 0o644)
        try published.close()
        #expect(try Self.mode(directory + "/secret") == 0o600)
        #expect(try Self.mode(directory + "/public") == 0o644)
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory + "/secret"))) == bytes)
    }

    /// An existing file is never opened, and its contents stay; the error names the call and the file.
    @Test func refusesAnExistingFile() throws {
        let path = try Self.scratch() + "/key"
        try Data("original".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: SystemCallError("create", path: path, code: EEXIST)) { try ExclusiveFile(creating: path) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "original")
    }

    /// A symlink in the file's place is not followed, even when it points at nothing.
    @Test func refusesASymlink() throws {
        let directory = try Self.scratch()
        try FileManager.default.createSymbolicLink(atPath: directory + "/link", withDestinationPath: directory + "/elsewhere")
        #expect(throws: SystemCallError.self) { try ExclusiveFile(creating: directory + "/link") }
        #expect(!FileManager.default.fileExists(atPath: directory + "/elsewhere"))
    }

    /// `close` may be called again, and the error text is what the modules show to people.
    @Test func closeIsIdempotentAndErrorsReadWell() throws {
        let path = try Self.scratch() + "/file"
        let file = try ExclusiveFile(creating: path)
        try file.close()
        try file.close()
        #expect(file.descriptor == -1)
        #expect(SystemCallError("create", path: path, code: EEXIST).description == "create \(path): File exists")
        #expect(SystemCallError("write", path: path, code: 0).description == "write \(path): no progress (disk full?)")
    }
}
