import Testing
import TestSupport
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

    /// Patterns of 64 tokens or more run on the multi-word automaton; it answers as the
    /// one-word automaton does on every pattern both can run (random patterns, fixed seed).
    @Test func wideAutomatonAgreesWithTheNarrowOne() {
        var random = SeededGenerator(seed: 0x5EED)
        let alphabet: [UInt8] = Array("ab/.".utf8)
        for _ in 0..<3000 {
            let pathMode = random.next() % 2 == 0
            let tokens: [GlobToken] = (0..<Int(random.next() % 12)).map { _ in
                switch random.next() % 7 {
                case 0: return .star
                case 1: return pathMode ? .globstar : .star
                case 2: return .one
                case 3: return .set(negated: random.next() % 2 == 0, ranges: [UInt8(ascii: "a")...UInt8(ascii: "a")])
                default: return .byte(alphabet[Int(random.next() % UInt64(alphabet.count))])
                }
            }
            let text = (0..<Int(random.next() % 10)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
            #expect(Glob.simulate(tokens, text, pathMode: pathMode) == Glob.simulateWide(tokens, text, pathMode: pathMode),
                    "\(tokens) vs \(String(decoding: text, as: UTF8.self))")
        }
    }

    /// A long pattern (over 64 tokens) matches as a short one does, across word boundaries.
    @Test func longPatterns() throws {
        let directory = "/srv/" + String(repeating: "d", count: 120)
        let glob = try Glob(directory + "/**/*.log", path: true)
        #expect(glob.matches(directory + "/app.log"))
        #expect(glob.matches(directory + "/a/b/app.log"))
        #expect(!glob.matches(directory + "/app.txt"))
        #expect(!glob.matches(directory + "x/app.log"))
        let stars = try Glob(String(repeating: "*a", count: 70) + "*b", path: false)
        #expect(!stars.matches(String(repeating: "a", count: 5000)))
        #expect(stars.matches(String(repeating: "a", count: 70) + "b"))
    }

    /// A pattern whose expansion (braces, each `/**` that may vanish) is too large to match
    /// quickly is refused when the policy is loaded, never slowly matched at each decision.
    @Test func oversizedExpansionsAreRefused() throws {
        let braces = String(repeating: "{0,1}", count: 8) // 256 alternatives, × 16 for the four `/**`
        #expect(throws: GlobError.self) { try Glob("/a/**/b/**/c/**/d/**/" + braces + "x", path: true) }
        #expect(throws: GlobError.self) { try Glob("/a/" + String(repeating: "x", count: Glob.maxTokens + 1), path: true) }
        #expect(throws: GlobError.self) { try Glob("/a/**/b/**/c/**/d/**/" + String(repeating: "x", count: 600), path: true) }
        #expect(try Glob("/srv/{a,b,c}/**/logs/**/" + String(repeating: "x", count: 300), path: true).matches("/srv/b/logs/" + String(repeating: "x", count: 300)))
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

