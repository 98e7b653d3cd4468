import Testing
@testable import ShellParser

/// Every redirection form is recognised with its fd, operator and target.
struct RedirectionTests {
    static let table: [(String, [String])] = [
        ("cmd > a >> b < c >| d <> e", ["> a", ">> b", "< c", ">| d", "<> e"]),
        ("cmd 2> a 2>&1 1>&- 3<&0 &> f &>> g", ["2> a", "2>& 1", "1>& -", "3<& 0", "&> f", "&>> g"]),
        ("cmd <<< \"here $x\"", ["<<< here $x?"]),
        ("cmd {fd}> file 10>x", ["> file", "10> x"]),
        ("cmd > \"$out\" 2>/dev/null", ["> $out?", "2> /dev/null"]),
        ("cmd <<EOF <<-'END' <<\"Q\"\nbody $x\nEOF\n\tbody\n\tEND\nq\nQ", ["<< EOF", "<<- END", "<< Q"]),
    ]

    /// Redirections appear on the command with the target after quote removal.
    @Test(arguments: table)
    func redirections(line: String, expected: [String]) {
        let analysis = ShellAnalyzer.analyze(line)
        #expect(analysis.status == .complete)
        let rendered = analysis.commands.first?.redirects.map {
            "\($0.fd.map(String.init) ?? "")\($0.op) \($0.target.text)\($0.target.isDynamic ? "?" : "")"
        }
        #expect(rendered == expected)
    }

    /// A redirection alone is still reported, so a policy sees `> /dev/sda`.
    @Test func redirectionWithoutCommand() {
        let command = ShellAnalyzer.analyze("> /dev/sda").commands.first
        #expect(command?.argv.isEmpty == true)
        #expect(command?.redirects.first?.target.text == "/dev/sda")
        #expect(command?.redirects.first?.writes == true)
    }

    /// Redirections of a compound command apply to every command inside it.
    @Test func compoundRedirectionApplies() {
        let commands = ShellAnalyzer.analyze("{ ls; date; } > /dev/sda; while read l; do echo; done < in").commands
        #expect(commands.map { $0.redirects.map(\.target.text) } == [["/dev/sda"], ["/dev/sda"], ["in"], ["in"]])
    }

    /// A compound that runs no command still performs its redirections (bash opens, creates and
    /// truncates the file): they are reported as a redirection alone, so a policy sees the write.
    @Test(arguments: ["[[ 1 ]] > /dev/sda", "(( 1 )) >| /dev/sda", "case x in x) ;; esac > /dev/sda", "! [[ 1 ]] > /dev/sda",
                      "[[ 1 ]] && [[ 1 ]] >> /dev/sda", "{ [[ 1 ]]; } > /dev/sda", "while (( 0 )); do [[ 1 ]]; done 2> /dev/sda",
                      "if [[ 1 ]]; then (( 2 )); fi <> /dev/sda"])
    func compoundRunningNoCommandKeepsItsRedirections(line: String) {
        let analysis = ShellAnalyzer.analyze(line)
        #expect(analysis.status == .complete)
        #expect(analysis.commands.count == 1)
        let command = analysis.commands.first
        #expect(command?.argv.isEmpty == true)
        #expect(command?.redirects.map(\.target.text) == ["/dev/sda"])
    }

    /// Commands inside an unquoted here-document body run; inside a quoted one they do not.
    @Test func hereDocumentBodies() {
        #expect(Rendering.commands("cat <<E\n$(rm x) `id`\nE") == ["cat", "rm x", "id"])
        #expect(Rendering.commands("cat <<'E'\n$(rm x)\nE") == ["cat"])
        #expect(Rendering.commands("cat <<A; cat <<B\na\nA\nb $(x)\nB\necho done") == ["cat", "cat", "x", "echo done"])
    }
}
