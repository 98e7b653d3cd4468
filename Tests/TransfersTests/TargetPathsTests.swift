import Foundation
import TestSupport
import Testing
@testable import Transfers

/// The question the bastion asks the target about a legacy command's paths, run by a real `sh`
/// in a directory tree with links: the answers are where the target's own `realpath -m` puts
/// each path, paired with the paths as the command wrote them.
struct TargetPathsTests {
    @Test func theTargetSaysWhereEachPathReallyIs() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("target-paths-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: root) }
        let r = root.path
        let setup = ProcessRunner.shell("""
            mkdir -p \(r)/home/deploy/r1/r2 \(r)/secret && ln -s \(r)/home/deploy \(r)/home/deploy/r1/r2/cur \
              && ln -s \(r)/secret \(r)/home/deploy/out && touch "\(r)/home/it's new" "\(r)/home/ends in a newline
            "
            """)
        #expect(setup.status == 0, "\(setup)")
        let paths = ["~", "~/deploy/r1/r2/cur/../x", "deploy/out/f", "\(r)/home/deploy/r1/r2/cur", "it's new", "~/no/such/dir/f",
                     "ends in a newline\n"]
        let run = ProcessRunner.shell("cd \(r)/home && HOME=\(r)/home sh -c \(BastionQuote.quote(TargetPaths.probe(for: paths)))")
        #expect(run.status == 0, "\(run)")
        let answer = TargetPaths.parse(("motd from a startup file\n" + run.stdout).components(separatedBy: "\n"), paths: paths)
        #expect(answer.home == "\(r)/home")
        #expect(answer.place(of: "~") == .init(path: "\(r)/home", isDirectory: true))
        #expect(answer.place(of: "~/deploy/r1/r2/cur/../x") == .init(path: "\(r)/home/x", isDirectory: false), "the link first, then ..")
        #expect(answer.place(of: "deploy/out/f") == .init(path: "\(r)/secret/f", isDirectory: false))
        #expect(answer.place(of: "\(r)/home/deploy/r1/r2/cur") == .init(path: "\(r)/home/deploy", isDirectory: true))
        #expect(answer.place(of: "it's new") == .init(path: "\(r)/home/it's new", isDirectory: false))
        #expect(answer.place(of: "~/no/such/dir/f") == .init(path: "\(r)/home/no/such/dir/f", isDirectory: false))
        #expect(answer.place(of: "ends in a newline\n") == .init(path: "\(r)/home/ends in a newline\n", isDirectory: false))
    }

    /// An answer that is not one of ours, or one too few, resolves nothing.
    @Test func unreadableAnswersResolveNothing() {
        #expect(TargetPaths.parse(["BASTION-HOME /h", "BASTION-PATH f 2f78"], paths: ["a", "b"]).places.isEmpty)
        #expect(TargetPaths.parse(["BASTION-PATH f 7878"], paths: ["a"]).place(of: "a") == nil, "not absolute")
        #expect(TargetPaths.parse(["BASTION-PATH f "], paths: ["a"]).place(of: "a") == nil, "realpath said nothing")
        #expect(TargetPaths.parse(["BASTION-PATH x 2f"], paths: ["a"]).place(of: "a") == nil)
        #expect(TargetPaths.parse(["BASTION-HOME relative"], paths: []).home == nil)
    }
}

private enum BastionQuote {
    static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
