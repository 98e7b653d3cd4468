import Testing
@testable import ShellParser

/// A variable the line (or an earlier line) gave a static value is read with that value too: the
/// command as written stays, and a derived command (`via` `$name`) follows it for each value the
/// name may hold, so that rules see the path a variable holds.
struct KnownValueTests {
    static let table: [(String, [String])] = [
        ("f=/etc/shadow; cat $f", ["cat $f?", "[$f] cat /etc/shadow"]),
        ("f=/etc/shadow && cat \"$f\"", ["cat $f?", "[$f] cat /etc/shadow"]),
        ("d=/etc; cat ${d}/shadow", ["cat ${d}/shadow?", "[$d] cat /etc/shadow"]),
        // A default form's static word is a value too, whether or not the name was assigned.
        ("cat ${f:-/etc/shadow} \"${g-/a}\" ${h:=/b}", ["cat ${f:-/etc/shadow}? ${g-/a}? ${h:=/b}?", "[$f $g $h] cat /etc/shadow /a /b"]),
        // Kept by the shell: a declaration builtin's argument, a for or select loop's variable.
        ("export f=/x; cat $f", ["export f=/x", "cat $f?", "[$f] cat /x"]),
        ("for f in /a /b; do rm $f; done", ["rm $f?", "[$f] rm /a", "[$f] rm /b"]),
        // Every value any assignment may have given (control flow, subshells: none is dropped).
        ("f=/a; (f=/b); cat $f", ["cat $f?", "[$f] cat /a", "[$f] cat /b"]),
        ("f=/a; f+=/b; cat $f", ["cat $f?", "[$f] cat /a", "[$f] cat /a/b"]),
        ("a=/etc; b=$a/shadow; cat $b", ["cat $b?", "[$b] cat /etc/shadow"]),
        // Not kept: a prefix assignment is the command's environment only, and its own words
        // were expanded before it.
        ("f=/x cat $f", ["cat $f?"]),
        ("f=/x true; cat $f", ["true", "cat $f?"]),
        // Unknown values make no variant; other expansions keep the variant dynamic.
        ("f=$(id); cat $f", ["id", "cat $f?"]),
        ("f=~/x; a[1]=/y; cat $f $a", ["cat $f? $a?"]),
        ("f=/x; cat $f$(date)", ["cat $f$(date)?", "[$f] cat /x$(date)?", "date"]),
        ("f=/x; cat $f $g$f", ["cat $f? $g$f?", "[$f] cat /x $g/x?"]),
        // What the variants run is read like any command: unwrapped, and as a command name.
        ("f=/x; sudo rm $f", ["sudo rm $f?", "[sudo] rm $f?", "[$f] sudo rm /x", "[$f,sudo] rm /x"]),
        ("x=rm; $x -rf /", ["$x? -rf /", "[$x] rm -rf /"]),
        ("f=/x; echo $(cat $f)", ["echo $(cat $f)?", "cat $f?", "[$f] cat /x"]),
        ("f=/x; echo `cat $f`", ["echo `cat $f`?", "cat $f?", "[$f] cat /x"]),
        // As bash expands them: an unquoted value is split at blanks (an empty one is no word)
        // and its `*`, `?`, `[` make a pattern; a quoted one is one word, as it is.
        ("f='/etc/shadow /tmp/x'; cat $f", ["cat $f?", "[$f] cat /etc/shadow /tmp/x"]),
        ("f='/etc/shadow /tmp/x'; cat \"$f\"", ["cat $f?", "[$f] cat /etc/shadow /tmp/x"]),
        ("f=' a  b '; echo x$f\"y\"", ["echo x$fy?", "[$f] echo x a b y"]),
        ("f=''; rm $f x; rm \"$f\" y", ["rm $f? x", "[$f] rm x", "rm $f? y", "[$f] rm  y"]),
        ("f='/etc/sha*'; cat $f \"$f\"", ["cat $f? $f?", "[$f] cat /etc/sha*? /etc/sha*"]),
        ("f='/etc/sha*'; g=$f; cat \"$g\"", ["cat $g?", "[$g] cat /etc/sha*"]),
        // Redirection targets too, with or without a command.
        ("f=/etc/passwd; echo x >> \"$f\"; > $f", ["echo x", "[$f] echo x", "(none)", "[$f] (none)"]),
        // A single-quoted `$f` is text, given to the program as it is.
        ("f=/x; bash -c 'cat $f'", ["bash -c cat $f", "[bash -c] cat $f?"]),
    ]

    @Test(arguments: table)
    func knownValues(line: String, expected: [String]) {
        #expect(Self.render(line) == expected)
    }

    /// A quoted value stays one word, an unquoted one is split: told apart by the words' count.
    @Test func quotedValuesAreOneWord() {
        let commands = ShellAnalyzer.analyze("f='/etc/shadow /tmp/x'; cat \"$f\"; cat $f").commands
        #expect(commands.map(\.argv.count) == [2, 2, 2, 3])
    }

    /// `cd $d` adds each value to the places the commands after it may run in.
    @Test func directoriesHeldInVariablesAreFollowed() {
        let commands = ShellAnalyzer.analyze("d=/srv/vault; cd $d && touch x").commands
        #expect(commands.map(Rendering.render) == ["cd $d?", "[$d] cd /srv/vault", "touch x"])
        #expect(commands[2].directory.paths == ["/srv/vault"] && commands[2].directory.includesUnknown)
    }

    @Test func redirectionTargetsTakeTheValues() {
        let commands = ShellAnalyzer.analyze("f=/etc/passwd; echo x >> \"$f\"").commands
        #expect(commands.map { $0.redirects.map(\.target.text) } == [["$f"], ["/etc/passwd"]])
        #expect(commands[1].redirects[0].target.isDynamic == false)
    }

    /// Values from earlier lines (an interactive session's) are read the same way, and the
    /// analysis gives what the names may hold after the line.
    @Test func earlierLinesValuesAreReadAndTheLinesOwnAreGiven() {
        let first = ShellAnalyzer.analyze(bytes: Array("f=/etc/shadow; d=/srv".utf8))
        #expect(first.assignedValues == ["f": ["/etc/shadow"], "d": ["/srv"]])
        let second = ShellAnalyzer.analyze(bytes: Array("cat $f; f=/tmp/x".utf8), knownValues: first.assignedValues)
        #expect(second.commands.map(Rendering.render) == ["cat $f?", "[$f] cat /etc/shadow"])
        #expect(second.assignedValues == ["f": ["/etc/shadow", "/tmp/x"]], "only the names the line assigns")
    }

    /// Bounded: a name keeps its latest values, a command its first variants, a line the first
    /// names it assigns.
    @Test func valuesAndVariantsAreBounded() {
        let names = (1...300).map { "v\($0)=/x\($0)" }.joined(separator: "; ") + "; cat $v1 $v300"
        let crowded = ShellAnalyzer.analyze(names)
        #expect(crowded.assignedValues.count == LineParser.assignedNamesLimit && crowded.assignedValues["v300"] == nil)
        #expect(crowded.commands.map(Rendering.render) == ["cat $v1? $v300?", "[$v1] cat /x1 $v300?"])
        let many = (1...20).map { "f=/v\($0)" }.joined(separator: "; ") + "; cat $f"
        let analysis = ShellAnalyzer.analyze(many)
        #expect(analysis.assignedValues["f"] == (13...20).map { "/v\($0)" })
        #expect(analysis.commands.count == 1 + LineParser.knownValuesPerName)
        let wide = (1...8).map { "a\($0)=/x; a\($0)+=/y" }.joined(separator: "; ") + "; for b in 1 2 3 4 5; do cat $a1 $a2 $b; done"
        #expect(ShellAnalyzer.analyze(wide).commands.count == 1 + LineParser.knownValueVariantLimit)
    }

    static func render(_ line: String) -> [String] {
        ShellAnalyzer.analyze(line).commands.map { command in
            command.argv.isEmpty ? (command.derived ? "[\(command.via.joined(separator: ","))] (none)" : "(none)") : Rendering.render(command)
        }
    }
}
