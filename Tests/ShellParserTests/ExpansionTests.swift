import Testing
@testable import ShellParser

/// Expansions: dynamic marking, substitutions found wherever they are, brace and tilde expansion.
struct ExpansionTests {
    static let table: [(String, [String])] = [
        ("echo $x ${x} $1 $@ $? $$ $# ${x:-def} ${#x} ${x%%.*} ${x/a/b} ${x^^} ${!x} ${a[1]}",
         ["echo $x? ${x}? $1? $@? $?? $$? $#? ${x:-def}? ${#x}? ${x%%.*}? ${x/a/b}? ${x^^}? ${!x}? ${a[1]}?",
          // (a default's static word is a value the word may have)
          "[$x] echo $x? ${x}? $1? $@? $?? $$? $#? def ${#x}? ${x%%.*}? ${x/a/b}? ${x^^}? ${!x}? ${a[1]}?", "[arithmetic] ${!x}"]),
        ("echo a$x \"$y z\"", ["echo a$x? $y z?"]),
        ("echo $ a$", ["echo $ a$"]),
        ("echo ${x:-$(id)}", ["echo ${x:-$(id)}?", "id"]),
        ("echo \"${x:-\"$(whoami)\"}\"", ["echo ${x:-\"$(whoami)\"}?", "whoami"]),
        ("echo $(ls $(pwd)) `date`", ["echo $(ls $(pwd))? `date`?", "ls $(pwd)?", "pwd", "date"]),
        ("echo `echo \\`id\\``", ["echo `echo \\`id\\``?", "echo `id`?", "id"]),
        ("echo \"$(a \"$(b)\")\"", ["echo $(a \"$(b)\")?", "a $(b)?", "b"]),
        ("echo $((1 + $(n) * 2)) $[3+4]", ["echo $((1 + $(n) * 2))? $[3+4]?", "n", "[arithmetic] 1 + $(n) * 2"]),
        ("((x = $(g) + 1))", ["g", "[arithmetic] x = $(g) + 1"]),
        ("echo $((echo a) )", ["echo $((echo a) )?", "echo a"]),
        ("diff <(sort a) >(tee b)", ["diff <(sort a)? >(tee b)?", "sort a", "tee b"]),
        ("echo x<(true)", ["echo x<(true)?", "true"]),
        ("echo \"x\"<(true) 'y'>(false)", ["echo x<(true)? y>(false)?", "true", "false"]),
        ("echo *.log a?c [ab] x[ '*'", ["echo *.log? a?c? [ab]? x[ *"]),
        ("[ -f x ]", ["[ -f x ]"]),
        ("echo {a,b}c {1..3} {x{1,2},y} {a..c} {5..1..2} {01..03} {a} {} {a,b", [
            "echo ac bc 1 2 3 x1 x2 y a b c 5 3 1 01 02 03 {a} {} {a,b"]),
        ("echo '{a,b}' \"{1..2}\" {'a',b}", ["echo {a,b} {1..2} a b"]),
        ("echo ~ ~/x ~root a=~ '~' x~", ["echo ~? ~/x? ~root? a=~? ~ x~"]),
        ("a=1 b=$(id) c[2]=x d+=y cmd arg", ["cmd arg", "id"]),
        ("a=(1 2 $(x)) cmd", ["cmd", "x"]),
        ("a=$(id)", ["id"]),
        ("local a=(1 2) b=$(c)", ["local a=(...)? b=$(c)?", "c"]),
        ("echo a=1", ["echo a=1"]),
        // Where an assignment may stand, `NAME[` reads to its `]` as bash does: blanks, `;` and
        // `#` inside are the subscript's, and what it holds runs.
        ("m[ #]=$(rm -rf ~) cmd", ["cmd", "rm -rf ~?"]),
        ("a[ ; rm x ; ]=1", ["[arithmetic]  ; rm x ; "]),
        ("x=1 a[$(id) + 1]=2 cmd", ["cmd", "id", "[arithmetic] $(id) + 1"]),
        (">f a[ 1]=`id`", ["", "id"]),
        ("a[ ']' ]=q cmd", ["cmd"]),
        ("ls[a b] c", ["ls[a b]? c"]),
        ("echo a[ b] declare c[ d]=e", ["echo a[ b] declare c[ d]=e"]),
        ("declare c[ d]=e", ["declare c[ d]=e"]),
        // A line bash reads only with extglob (on where bash-completion is loaded) is read so,
        // patterns and what runs inside them included (ExtendedGlobReadingsTests: both ways).
        ("ls !(*.log) @(a|b)c *(x) +(y) ?(z)", ["ls !(*.log)? @(a|b)c? *(x)? +(y)? ?(z)?"]),
        ("echo @(a|$(id)) @(b; c)", ["echo @(a|$(id))? @(b; c)?", "id"]),
    ]

    /// Each expansion form gives the expected words, dynamic marks and nested commands.
    @Test(arguments: table)
    func expansions(line: String, expected: [String]) {
        #expect(Rendering.status(line) == "complete")
        #expect(Rendering.commands(line) == expected)
    }

    /// Brace expansion that would explode stays one word, marked dynamic, instead of eating memory.
    @Test func braceExpansionIsBounded() {
        let line = "rm " + String(repeating: "{a,b}", count: 30) + " {1..100000000}"
        let command = ShellAnalyzer.analyze(line).commands[0]
        #expect(command.argv.count == 3)
        #expect(command.argv[1].isDynamic && command.argv[2].isDynamic)
    }

    /// A line's words share one expansion budget: many small brace words cannot multiply a line.
    @Test func braceExpansionBudgetPerLine() {
        let line = "eval eval eval echo " + String(repeating: "{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}{o,p} ", count: 2000)
        let analysis = ShellAnalyzer.analyze(line)
        let bytes = analysis.commands.reduce(0) { $0 + $1.argv.reduce(0) { $0 + $1.text.utf8.count } }
        #expect(bytes < 2_000_000)
        #expect(analysis.commands[0].argv.last?.isDynamic == true)
    }
}
