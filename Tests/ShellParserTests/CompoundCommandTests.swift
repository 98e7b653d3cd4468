import Testing
@testable import ShellParser

/// Pipelines, lists and every compound command: all the simple commands inside are found.
struct CompoundCommandTests {
    static let table: [(String, [String])] = [
        ("a | b |& c", ["a", "b", "c"]),
        ("! a | b", ["a", "b"]),
        ("time -p a; time b", ["a", "b"]),
        ("a; b & c && d || e\nf", ["a", "b", "c", "d", "e", "f"]),
        ("a &&\n\n b ||\n c |\n d", ["a", "b", "c", "d"]),
        ("(a; (b)) && { c; { d; }; }", ["a", "b", "c", "d"]),
        ("if a; then b; elif c; then d; else e; fi", ["a", "b", "c", "d", "e"]),
        ("if a\nthen\n b\nfi", ["a", "b"]),
        ("while a; do b; done; until c; do d; done", ["a", "b", "c", "d"]),
        ("for x in 1 $(seq 3); do echo $x; done", ["seq 3", "echo $x?", "[$x] echo 1"]),
        ("for x; do a; done; for y\ndo b; done", ["a", "b"]),
        ("for ((i=0; i<$(n); i++)); do a; done", ["n", "[arithmetic] i=0; i<$(n); i++", "a"]),
        ("for x in a b; { c; }", ["c"]),
        ("select x in a b; do echo $x; break; done", ["echo $x?", "[$x] echo a", "[$x] echo b", "break"]),
        ("case $(x) in a|b) c;; (d) e;& *) f;;& g) ;; esac", ["x", "c", "e", "f"]),
        ("case x in\n a)\n b\n ;;\nesac", ["b"]),
        ("f() { a; }; function g { b; }; function h() ( c ); k () if d; then e; fi", ["a", "b", "c", "d", "e"]),
        ("[[ -n $x && $(a) == b* || ! -f \"$(b)\" ]] && c", ["a", "b", "c"]),
        ("[[ $x =~ ^(a|b)+$ ]]", []),
        ("[[ a < b ]]", []),
        ("coproc a b; coproc NAME { c; }; coproc ( d )", ["a b", "c", "d"]),
        ("if true; then { a; } fi", ["true", "a"]),
        ("echo if then fi done {", ["echo if then fi done {"]),
        ("$(a) b", ["$(a)? b", "a"]),
    ]

    /// Every simple command inside the construct is extracted, in source order.
    @Test(arguments: table)
    func compounds(line: String, expected: [String]) {
        #expect(Rendering.status(line) == "complete")
        #expect(Rendering.commands(line) == expected)
    }

    /// Source ranges are UTF-8 byte offsets of each command's text.
    @Test func sourceRanges() {
        let line = "é=1 ls -l; (rm  x)"
        let commands = ShellAnalyzer.analyze(line).commands
        let bytes = Array(line.utf8)
        #expect(commands.map { String(decoding: bytes[$0.range], as: UTF8.self) } == ["é=1 ls -l", "rm  x"])
    }

    /// The functions a line defines are named, in either form, nested, and inside text parsed
    /// again where the definition runs in the same shell (eval, a trap's action).
    @Test(arguments: [
        ("f() { :; }; function g { :; }; function h() (:)", ["f", "g", "h"]),
        ("f() { read() { :; }; }", ["f", "read"]),
        ("eval 'kill() { :; }'; trap 'local() { :; }' USR1", ["kill", "local"]),
        ("echo 'read() { :; }'; ls", []),
    ])
    func definedFunctions(_ line: String, _ names: [String]) {
        #expect(ShellAnalyzer.analyze(line).definedFunctions == names)
    }
}
