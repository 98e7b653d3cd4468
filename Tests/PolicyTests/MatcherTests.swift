import ShellParser
import Testing
@testable import Policy

/// A guard-mode policy with one deny rule whose match is `match` (YAML flow mapping body).
private func denyEngine(_ match: String, labels: String = "") throws -> PolicyEngine {
    let (config, _) = try loadPolicy("""
    roles:
      - name: r
        groups: [engineering]
        targets: ["*"]
        capabilities: [exec]
        mode: guard
        rules:
          - {id: rule, action: deny, message: blocked, \(match)}
    """)
    return PolicyEngine(config: config)
}

/// A strict policy with one allow rule whose match is `match`.
private func allowEngine(_ match: String) throws -> PolicyEngine {
    let (config, _) = try loadPolicy("""
    roles:
      - name: r
        groups: [engineering]
        targets: ["*"]
        capabilities: [exec]
        mode: strict
        rules:
          - {id: rule, action: allow, \(match)}
    """)
    return PolicyEngine(config: config)
}

private func fires(_ engine: PolicyEngine, _ line: LineAnalysis, target: PolicyTarget = web1) -> Bool {
    decide(engine, line, target: target).ruleID == "rule"
}

@Suite struct MatcherTests {
    /// `command` matches the name in any path form; a path in the rule pins the path.
    @Test(arguments: [
        ("command: rm", "rm x", true), ("command: rm", "/bin/rm x", true), ("command: rm", "/usr/bin//rm x", true),
        ("command: rm", "./rm x", true), ("command: rm", "rmdir x", false), ("command: [rm, unlink]", "unlink x", true),
        ("command: /usr/local/bin/deploy", "/usr/local//bin/deploy", true), ("command: /usr/local/bin/deploy", "deploy", false),
        ("command: 'mkfs.*'", "mkfs.xfs /dev/x", true), ("command: 'mkfs.*'", "mkfs /dev/x", false),
    ])
    func commandName(_ match: String, _ line: String, _ expected: Bool) throws {
        #expect(try fires(denyEngine(match), analysis(cmd(line))) == expected, "\(match) / \(line)")
    }

    /// `flags`: combined short flags, long flags, `--flag=value`, alternatives, `--` ends flags,
    /// and GNU abbreviations count for deny rules.
    @Test(arguments: [
        ("flags: [-r, -f]", "rm -rf x", true), ("flags: [-r, -f]", "rm -fr x", true), ("flags: [-r, -f]", "rm -r -f x", true),
        ("flags: [-r, -f]", "rm -r x", false), ("flags: ['-r|--recursive']", "rm --recursive x", true),
        ("flags: ['--color']", "ls --color=auto", true), ("flags: ['--recursive']", "rm --recur x", true),
        ("flags: ['--recursive']", "rm --r x", false), ("flags: [-r]", "rm -- -r", false), ("flags: [-rf]", "rm -f -r x", true),
        ("flags: [-delete]", "find . -delete", true), ("flags: [-x]", "cmd $opts", true),
    ])
    func flags(_ match: String, _ line: String, _ expected: Bool) throws {
        #expect(try fires(denyEngine(match), analysis(cmd(line))) == expected, "\(match) / \(line)")
    }

    /// `args` are path globs over positional arguments after normalisation (any, for deny).
    @Test(arguments: [
        ("args: [/etc]", "rm -rf /etc/", true), ("args: [/etc]", "rm -rf /etc/../etc", true), ("args: [/etc]", "rm x /etc", true),
        ("args: [/etc]", "rm /etc/x", false), ("args: ['/etc/**']", "rm /etc/x/y", true), ("args: ['~']", "rm -rf $HOME/", true),
        ("args: ['/']", "rm -rf /$x", true), ("args: ['/']", "rm -rf $x", false), ("args: ['/etc']", "rm -rf /e?c", true),
        ("args: ['-x']", "tool -- -x", true),
    ])
    func args(_ match: String, _ line: String, _ expected: Bool) throws {
        #expect(try fires(denyEngine(match), analysis(cmd(line))) == expected, "\(match) / \(line)")
    }

    /// `arg_regex` searches each argument; `args_text` the arguments joined by spaces.
    @Test(arguments: [
        ("arg_regex: '^--delete'", "rsync --delete-after a b", true), ("arg_regex: '^--delete'", "rsync a b", false),
        ("args_text: 'flush\\s+ruleset'", "nft flush ruleset", true), ("args_text: 'flush\\s+ruleset'", "nft list ruleset", false),
    ])
    func regexes(_ match: String, _ line: String, _ expected: Bool) throws {
        #expect(try fires(denyEngine(match), analysis(cmd(line))) == expected, "\(match) / \(line)")
    }

    /// `redirects` match files written through redirections, not fd duplication or reads.
    @Test func redirects() throws {
        let engine = try denyEngine("redirects: ['/etc/**']")
        #expect(fires(engine, analysis(cmd("echo x", redirects: [writes("/etc/passwd")]))))
        #expect(fires(engine, analysis(cmd("echo x", redirects: [writes("/etc//hosts", op: ">>")]))))
        #expect(!fires(engine, analysis(cmd("cat", redirects: [Redirection(op: "<", target: ShellWord("/etc/passwd"))]))))
        #expect(!fires(engine, analysis(cmd("echo x", redirects: [writes("/tmp/x")]))))
    }

    /// `args` also looks at the files a command reads through `<` and `<>`: a deny rule fires
    /// on `cat < f` as on `cat f`, and an allow rule's globs must hold them too. A here-string,
    /// a duplicated descriptor and `/dev/null` are no file read.
    @Test func argsSeeFilesReadThroughARedirection() throws {
        let deny = try denyEngine("command: cat, args: ['/etc/shadow']")
        for line in ["cat < /etc/shadow", "cat 0</etc/shadow", "cat <>/etc/shadow", "cat </etc//shadow", "x=1 cat -n < /etc/shadow"] {
            #expect(fires(deny, ShellAnalyzer.analyze(line)), "\(line)")
        }
        for line in ["cat <<< /etc/shadow", "cat < /dev/null", "cat <&3", "cat < /etc/passwd", "cat > /etc/shadow"] {
            #expect(!fires(deny, ShellAnalyzer.analyze(line)), "\(line)")
        }
        let allow = try allowEngine("command: cat, args: ['/var/log/**']")
        #expect(decide(allow, ShellAnalyzer.analyze("cat < /var/log/syslog")).verdict == .allow)
        #expect(decide(allow, ShellAnalyzer.analyze("cat /var/log/syslog < /dev/null")).verdict == .allow)
        #expect(decide(allow, ShellAnalyzer.analyze("cat < /etc/shadow")).verdict == .deny)
        #expect(decide(allow, ShellAnalyzer.analyze("cat /var/log/syslog < /etc/shadow")).verdict == .deny)
    }

    /// An interactive shell (`bash -i -c`, `eval` at a prompt) with `interactive_comments` off
    /// (`shopt -u`, `set +o interactive-comments`) reads a `#` that starts a word as a word and
    /// what follows it as code, where the parser reads a comment: a line that may turn the
    /// option off and holds such a `#` is refused, whatever the rules say.
    @Test func aLineThatTurnsCommentsOffAndHoldsAHashIsRefused() throws {
        let engine = try denyEngine("command: nothing-here")
        for line in ["shopt -u interactive_comments; eval 'echo #; id'", "bash -i -c 'shopt -u interactive_comments\necho #; id'",
                     "shopt -qu $opt; echo x #y", "command shopt -u interactive_comments; eval 'echo ;#'",
                     "set +o interactive-comments; eval 'echo #; id'", "set +o $o; echo #"] {
            let decision = decide(engine, ShellAnalyzer.analyze(line), text: line)
            #expect(decision.verdict == .deny && decision.ruleID == "unverifiable", "\(line)")
        }
        for line in ["shopt -u interactive_comments", "shopt -u extglob; echo #x", "echo a#b; shopt -u interactive_comments",
                     "shopt -u interactive_comments; echo $# ${#x}", "set -- $x; echo #y", "set +o history; echo #y"] {
            #expect(decide(engine, ShellAnalyzer.analyze(line), text: line).verdict == .allow, "\(line)")
        }
    }

    /// A line that may choose the shell's character set and holds characters outside ASCII:
    /// in Big5 or GBK a byte such as 0x81 and the backslash after it are one character, so
    /// `echo "\x81\"; id #"` runs `id`, where the parser reads one quoted word.
    @Test func aLineThatMayChangeTheCharsetAndLeavesASCIIIsRefused() throws {
        let engine = try denyEngine("command: nothing-here")
        for line in ["LC_ALL=zh_TW.BIG5\neval 'echo \u{81}'", "export LANG=zh_CN.GBK; echo é", "bash -i -c 'LC_CTYPE=x\necho 日本'",
                     "unset LC_ALL; echo \u{81}"] {
            let decision = decide(engine, ShellAnalyzer.analyze(line), text: line)
            #expect(decision.verdict == .deny && decision.ruleID == "unverifiable", "\(line)")
        }
        for line in ["LC_ALL=C.UTF-8", "echo 日本", "export LANG=en_US.UTF-8; echo ascii", "echo é; LC_MESSAGES=x"] {
            #expect(decide(engine, ShellAnalyzer.analyze(line), text: line).verdict == .allow, "\(line)")
        }
    }

    /// `via` matches commands reached through a wrapper (only via sudo, for instance).
    @Test func via() throws {
        let engine = try denyEngine("command: systemctl, via: [sudo]")
        #expect(fires(engine, analysis(cmd("sudo systemctl stop x"), cmd("systemctl stop x", derived: true, via: ["sudo"]))))
        #expect(fires(engine, analysis(cmd("x", derived: true, via: ["/usr/bin/sudo"]), cmd("systemctl stop x", derived: true, via: ["/usr/bin/sudo -u root"]))))
        #expect(!fires(engine, analysis(cmd("systemctl stop x"))))
    }

    /// `target_labels` restrict a rule to targets whose labels match (globs).
    @Test func targetLabels() throws {
        let engine = try denyEngine("command: reboot, target_labels: {env: 'prod*'}")
        #expect(fires(engine, analysis(cmd("reboot")), target: web1))
        #expect(!fires(engine, analysis(cmd("reboot")), target: dev1))
    }

    /// `opaque`, `dynamic_name`, `deletes` and `with_command` see what the parser flagged.
    @Test func parserFlags() throws {
        #expect(try fires(denyEngine("opaque: [inline_script]"), analysis(cmd("python3 -c x", opaque: .inlineScript))))
        #expect(try !fires(denyEngine("opaque: [inline_script]"), analysis(cmd("python3 x.py"))))
        #expect(try fires(denyEngine("opaque: any"), analysis(cmd("sh", opaque: .fedToInterpreter))))
        #expect(try fires(denyEngine("dynamic_name: true"), analysis(cmd("$x y"))))
        #expect(try fires(denyEngine("command: find, deletes: true"), analysis(cmd("find . -delete", deletes: true))))
        #expect(try !fires(denyEngine("command: find, deletes: true"), analysis(cmd("find . -print"))))
        #expect(try fires(denyEngine("command: sh, with_command: curl"), analysis(cmd("curl x"), cmd("sh"))))
        #expect(try !fires(denyEngine("command: sh, with_command: curl"), analysis(cmd("cat x"), cmd("sh"))))
    }

    /// Allow rules match conservatively: every argument must surely fit, run-time values do not.
    @Test(arguments: [
        ("command: cat, args: ['/var/log/**']", "cat /var/log/syslog", true),
        ("command: cat, args: ['/var/log/**']", "cat /var/log/syslog /etc/shadow", false),
        ("command: cat, args: ['/var/log/**']", "cat /var/log/../../etc/shadow", false),
        ("command: cat, args: ['/var/log/**']", "cat /var/log/*.log", true),
        ("command: cat, args: ['/var/log/**']", "cat /var/log/.*", false),
        ("command: cat, args: ['/var/log/**']", "cat /var/log/$f", false),
        ("command: cat, args: ['/var/log/**']", "cat /var/*/x", false),
        ("command: ls, without_flags: [-R]", "ls -la", true),
        ("command: ls, without_flags: [-R]", "ls -laR", false),
        ("command: ls, without_flags: [-R]", "ls $opts", false),
        ("command: ls, flags: [-l]", "ls $opts", false),
        ("command: ls, arg_regex: '^[a-z]+$'", "ls abc", true),
        ("command: ls, arg_regex: '^[a-z]+$'", "ls abc $x", false),
        ("command: rsync, flags: ['--dry-run']", "rsync --dry a b", false),
    ])
    func allowIsConservative(_ match: String, _ line: String, _ expected: Bool) throws {
        let decision = decide(try allowEngine(match), analysis(cmd(line)))
        #expect((decision.verdict == .allow) == expected, "\(match) / \(line): \(decision.message)")
    }

    /// An allow rule without `redirects` does not allow writing files; with it, only those files.
    @Test func allowAndRedirects() throws {
        let plain = try allowEngine("command: echo")
        #expect(decide(plain, analysis(cmd("echo hi"))).verdict == .allow)
        #expect(decide(plain, analysis(cmd("echo hi", redirects: [writes("/dev/null")]))).verdict == .allow)
        #expect(decide(plain, analysis(cmd("echo hi", redirects: [writes("/etc/motd")]))).verdict == .deny)
        let withFiles = try allowEngine("command: echo, redirects: ['/tmp/**']")
        #expect(decide(withFiles, analysis(cmd("echo hi", redirects: [writes("/tmp/out")]))).verdict == .allow)
        #expect(decide(withFiles, analysis(cmd("echo hi", redirects: [writes("/tmp/$x")]))).verdict == .deny)
    }
}
