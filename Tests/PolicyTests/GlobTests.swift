import Testing
@testable import Policy

@Suite struct GlobTests {
    /// Path globs match normalised paths: `*` stays in a segment, `**` crosses, `X/**` covers X.
    @Test(arguments: [
        ("/", "/", true), ("/etc", "/etc", true), ("/etc", "/etc/", false),
        ("/home/*", "/home/bob", true), ("/home/*", "/home/bob/x", false),
        ("/var/log/**", "/var/log", true), ("/var/log/**", "/var/log/a/b.log", true), ("/var/log/**", "/var/logs", false),
        ("**", "anything/at/all", true), ("/**", "/x/y", true), ("/**", "rel", false),
        ("*.log", "app.log", true), ("*.log", "dir/app.log", false), ("a/**/b", "a/b", true), ("a/**/b", "a/x/y/b", true),
        ("/dev/{sd,nvme}*", "/dev/sda", true), ("/dev/{sd,nvme}*", "/dev/nvme0n1", true), ("/dev/{sd,nvme}*", "/dev/null", false),
        ("/dev/{disk,mapper}/**", "/dev/disk/by-id/x", true),
        ("file[0-9]", "file7", true), ("file[!0-9]", "file7", false), ("file?", "fileX", true), ("file?", "file/", false),
        ("~", "~", true), ("$HOME", "~", true), ("~/**", "~/x", true), ("/usr//bin/./", "/usr/bin", true),
        ("{a,b{c,d}}", "bd", true), ("x{}", "x{}", true),
    ])
    func pathGlobs(_ pattern: String, _ path: String, _ expected: Bool) throws {
        let glob = try Glob(pattern, path: true)
        #expect(glob.matches(path) == expected, "\(pattern) vs \(path)")
    }

    /// Name globs (command names, labels, target names) let `*` match anything.
    @Test func nameGlobs() throws {
        #expect(try Glob("mkfs.*", path: false).matches("mkfs.ext4"))
        #expect(try !Glob("mkfs.*", path: false).matches("mkfs"))
        #expect(try Glob("web*", path: false).matches("web1"))
        #expect(try Glob("*", path: false).matchesEverything)
    }

    /// Broken patterns are rejected with a reason instead of matching something unexpected.
    @Test(arguments: ["file[0-9", "{a,b", "/x/**y", "a\\", "[z-a]"])
    func invalidGlobs(_ pattern: String) {
        #expect(throws: GlobError.self) { try Glob(pattern, path: true) }
    }

    /// Matching a long hostile argument stays linear-ish (no backtracking explosion).
    @Test func noBacktrackingBlowUp() throws {
        let glob = try Glob("*a*a*a*a*a*a*a*a*b", path: false)
        let text = String(repeating: "a", count: 2000)
        #expect(!glob.matches(text))
    }

    /// A dynamic glob intersects a rule glob when some expansion could match it.
    @Test func intersection() throws {
        let root = try Glob("/", path: true)
        let etc = try Glob("/etc", path: true)
        #expect(etc.intersects(try Glob.tokenize(Array("/e*".utf8), pathMode: true)))
        #expect(!etc.intersects(try Glob.tokenize(Array("/u*".utf8), pathMode: true)))
        #expect(!root.intersects(try Glob.tokenize(Array("/u*".utf8), pathMode: true)))
        #expect(root.intersects(try Glob.tokenize(Array("/*".utf8), pathMode: true))) // `*` may be empty
    }
}
