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

    /// Asked for links, the target lists the symbolic links below each path's place, without
    /// following any (a link to an ancestor is listed, not looped through), each with where it
    /// leads (a loop, to itself: `realpath -m` stops there); `entries` only the place's own.
    @Test func theTargetListsTheLinksBelowEachPath() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("target-links-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: root) }
        let r = root.path
        let setup = ProcessRunner.shell("""
            mkdir -p \(r)/home/tree/sub \(r)/home/.ssh && cd \(r)/home/tree && ln -s ../.ssh keys && ln -s \(r)/home/tree sub/up \
              && ln -s ../../.ssh/authorized_keys "sub/it's a key" && ln -s loop1 loop2 && ln -s loop2 loop1 && touch plain
            """)
        #expect(setup.status == 0, "\(setup)")
        func ask(_ links: TargetPaths.LinkListing) -> TargetPaths {
            let run = ProcessRunner.shell("cd \(r)/home && HOME=\(r)/home sh -c \(BastionQuote.quote(TargetPaths.probe(for: ["tree"], links: links)))")
            #expect(run.status == 0, "\(run)")
            return TargetPaths.parse(run.stdout.components(separatedBy: "\n"), paths: ["tree"])
        }
        let t = "\(r)/home/tree"
        let tree = ask(.tree)
        #expect(tree.linksListed == ["tree"])
        #expect(tree.links == ["\(t)/keys": "\(r)/home/.ssh", "\(t)/sub/up": t, "\(t)/sub/it's a key": "\(r)/home/.ssh/authorized_keys",
                               "\(t)/loop1": "\(t)/loop1", "\(t)/loop2": "\(t)/loop2"], "\(tree.links)")
        let entries = ask(.entries)
        #expect(entries.linksListed == ["tree"] && Set(entries.links.keys) == ["\(t)/keys", "\(t)/loop1", "\(t)/loop2"], "\(entries.links)")
        // A `find` that does not go through every directory (one it cannot read may hold a link)
        // lists nothing whole.
        let stub = ProcessRunner.shell("""
            mkdir -p \(r)/bin && printf '#!/bin/sh\\n/usr/bin/find "$@"; exit 1\\n' > \(r)/bin/find && chmod +x \(r)/bin/find
            """)
        #expect(stub.status == 0, "\(stub)")
        let partial = ProcessRunner.shell("cd \(r)/home && PATH=\(r)/bin:$PATH HOME=\(r)/home sh -c \(BastionQuote.quote(TargetPaths.probe(for: ["tree"], links: .tree)))")
        #expect(TargetPaths.parse(partial.stdout.components(separatedBy: "\n"), paths: ["tree"]).linksListed.isEmpty, "\(partial)")
    }

    /// A listing cut off (no closing `S`), not hex, or not in pairs counts as not listed.
    @Test func aListingNotWholeIsNotListed() {
        let place = "BASTION-PATH d 2f74"   // "/t"
        func listed(_ hex: String) -> Bool { TargetPaths.parse([place, "BASTION-LINKS " + hex], paths: ["t"]).linksListed == ["t"] }
        #expect(listed("53"))
        #expect(listed("2f742f6c002f78" + "0053"))   // "/t/l" → "/x"
        #expect(!listed("2f742f6c002f78"), "cut off")
        #expect(!listed("2f742f6c0053"), "a link without its target")
        #expect(!listed("zz53"))
        #expect(TargetPaths.parse([place], paths: ["t"]).linksListed.isEmpty, "nothing listed")
        // Two links whose names differ only in their bytes (`é` composed, and `e` with a combining
        // accent) are one key of a String dictionary: one would hide where the other leads.
        let composed = "/t/\u{E9}", decomposed = "/t/e\u{301}"
        let hex = [composed, "/x", decomposed, "/y"].map { Array($0.utf8) + [0] }.joined().map { String(format: "%02x", $0) }.joined() + "53"
        #expect(!listed(hex))
        // Paths of the command that differ only so are not told apart either: none is resolved.
        #expect(TargetPaths.parse(["BASTION-PATH f 2f61", "BASTION-PATH f 2f62"], paths: ["\u{E9}", "e\u{301}"]).places.isEmpty)
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
