import Testing
@testable import Transfers

/// The exec lines OpenSSH 9.2's `scp -O` sends, captured by running it with `-S` set to a
/// program that logs its arguments (`scp -O -S ./logargs a.txt host:/dest` and so on): the
/// last argument is the command the target's shell gets.
@Suite struct SCPCommandTests {
    @Test(arguments: [
        // scp -O a.txt host:/dest
        ("scp -t /dest", TransferDirection.upload, "", ["/dest"]),
        // scp -O -r -p a.txt dir host:/dest/
        ("scp -r -p -d -t /dest/", .upload, "rpd", ["/dest/"]),
        // scp -O -v a.txt host:
        ("scp -v -t .", .upload, "", ["."]),
        // scp -O a.txt host:-weird
        ("scp -t -- -weird", .upload, "", ["-weird"]),
        // scp -O host:/var/log/x.log .
        ("scp -f /var/log/x.log", .download, "", ["/var/log/x.log"]),
        // scp -O -r -p 'host:/var/log/*.log' .
        ("scp -r -p -f /var/log/*.log", .download, "rp", ["/var/log/*.log"]),
        // scp -O host:'~/x y' . (the remote path is not quoted: two words)
        ("scp -f ~/x y", .download, "", ["~/x", "y"]),
        // scp -O host:-weird .
        ("scp -f -- -weird", .download, "", ["-weird"]),
        // scp -O host:a host:b . (one connection each)
        ("scp -d -f a", .download, "d", ["a"]),
        // What the brief's example and other clients send.
        ("scp -v -r -p -t -- /dest", .upload, "rp", ["/dest"]),
        ("/usr/bin/scp -t /dest", .upload, "", ["/dest"]),
        ("scp -rpq -t /dest", .upload, "rp", ["/dest"]),
        ("scp -f '/var/log/a b.log'", .download, "", ["/var/log/a b.log"]),
        ("scp -f '~/x'", .download, "", ["./~/x"]),
        ("scp -f ~", .download, "", ["~"]),
        ("scp -f /a/{b,c}.log", .download, "", ["/a/b.log", "/a/c.log"]),
        ("  scp -t /dest  ", .upload, "", ["/dest"]),
    ] as [(String, TransferDirection, String, [String])])
    func readsTheLinesScpSends(_ line: String, _ direction: TransferDirection, _ flags: String, _ paths: [String]) throws {
        let command = try SCPCommand.parse(line).get()
        #expect(command == SCPCommand(direction: direction, recursive: flags.contains("r"), preserveTimes: flags.contains("p"),
                                      targetMustBeDirectory: flags.contains("d"), paths: paths))
    }

    @Test(arguments: [
        ("scp -t $HOME/x", SCPCommandError.dynamicWord("$HOME/x")),
        ("scp -t \"${DEST}\"", .dynamicWord("${DEST}")),
        ("scp -f ~bob/x", .dynamicWord("~bob/x")),
        ("scp -f ~+/x", .dynamicWord("~+/x")),
        ("scp -t /x; rm -rf /", .notOneCommand),
        ("scp -t /x && id", .notOneCommand),
        ("scp -t /x | cat", .notOneCommand),
        ("scp -t \"$(id)\"", .notOneCommand),
        ("scp -t `id`", .notOneCommand),
        ("scp -t <(id)", .notOneCommand),
        ("scp -t /x &", .notOneCommand),
        ("(scp -t /x)", .notOneCommand),
        ("{ scp -t /x; }", .notOneCommand),
        ("LD_PRELOAD=/tmp/e.so scp -t /x", .notOneCommand),
        ("time scp -t /x", .notOneCommand),
        ("! scp -t /x", .notOneCommand),
        ("sudo scp -t /x", .notOneCommand),
        ("exec scp -t /x", .notOneCommand),
        ("scp -t /x # comment", .notOneCommand),
        ("scp -t /x\nid", .notOneCommand),
        ("scp -t /x > /tmp/y", .redirection(">")),
        ("scp -t /x 2>&1", .redirection(">&")),
        ("\\scp -t /x", .notOneCommand),
        ("$SCP -t /x", .dynamicWord("$SCP")),
        ("ssh -t /x", .notSCP("ssh")),
        ("/tmp/scpx -t /x", .notSCP("scpx")),
        ("scp -S /tmp/evil -t /x", .unknownOption("-S")),
        ("scp -o ProxyCommand=id -f y", .unknownOption("-o")),
        ("scp -3 -t /x", .unknownOption("-3")),
        ("scp --help -t /x", .unknownOption("--help")),
        ("scp -t -f /x", .noDirection),
        ("scp /a host:/b", .noDirection),
        ("scp -t", .noPath),
        ("scp -t a b", .severalDestinations),
        ("scp -t /x -r", .optionAfterPath("-r")),
        ("scp -t /x/*", .wildcard("/x/*")),
        ("scp -f /var/*/x.log", .wildcard("/var/*/x.log")),
        ("scp -t ../x", .pathLeavesHome("../x")),
        ("scp -f ~/../../etc/passwd", .pathLeavesHome("~/../../etc/passwd")),
        ("scp -t ''", .emptyPath),
    ] as [(String, SCPCommandError)])
    func refusesWhatItCannotDecide(_ line: String, _ expected: SCPCommandError) {
        #expect(SCPCommand.parse(line) == .failure(expected), "\(line)")
    }

    @Test func refusesLinesBashWouldNotRun() {
        for line in ["scp -t 'open", "scp -t /x |", "scp -t /x\u{0}y", "scp -t ((", ""] {
            guard case .failure(let error) = SCPCommand.parse(line) else {
                Issue.record("accepted \(line.debugDescription)")
                continue
            }
            switch error {
            case .syntax, .notOneCommand: break
            default: Issue.record("\(line.debugDescription): \(error)")
            }
        }
    }

    @Test func randomLinesNeverTrap() {
        let pieces = ["scp", "rsync", "/usr/bin/scp", " ", " ", "-t", "-f", "-r", "-pd", "--", "--server", "--sender", ".", "/x", "x/../..",
                      "~", "~/", "*", "?", "[a]", "$", "`", "'", "\"", ";", "|", "&", "(", ")", "{a,b}", "<", ">", "\\", "\n", "=",
                      "-e.iLsfxCIvu", "-vlogDtpre.iLsfxCIvu", "--delete", "--files-from", "--temp-dir", "-M", "#", "\u{0}", "é"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            let line = (0..<Int.random(in: 0...12, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            if case .success(let command) = SCPCommand.parse(line) { #expect(!command.paths.isEmpty) }
            if case .success(let command) = RsyncCommand.parse(line) { _ = command.requests(home: "/home/a") + command.requests(home: nil) }
        }
    }

    @Test func errorsReadWell() {
        #expect(SCPCommandError.dynamicWord("$HOME/x").description == "'$HOME/x' would be expanded by the shell; only literal words are decided")
        #expect(SCPCommandError.unknownOption("-S").description.contains("-S"))
        #expect(SCPCommandError.noDirection.description.contains("-t"))
    }
}
