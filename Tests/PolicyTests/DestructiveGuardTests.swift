import ShellParser
import Testing
@testable import Policy

/// Each dangerous line, as the parser extracts it, and the guard rule that must stop it.
let destructiveCases: [(String, LineAnalysis, String)] = [
    ("rm -rf /", analysis(cmd("rm -rf /")), "rm-system"),
    ("rm -rf //", analysis(cmd("rm -rf //")), "rm-system"),
    ("rm -rf /./", analysis(cmd("rm -rf /./")), "rm-system"),
    ("rm -rf /usr/../", analysis(cmd("rm -rf /usr/../")), "rm-system"),
    ("rm -fr /*", analysis(cmd("rm -fr /*")), "rm-system"),
    ("rm -rf /e*", analysis(cmd("rm -rf /e*")), "rm-system"),
    ("rm -r -f ~", analysis(cmd("rm -r -f ~")), "rm-system"),
    ("rm -rf ~/", analysis(cmd("rm -rf ~/")), "rm-system"),
    ("rm -rf ~/*", analysis(cmd("rm -rf ~/*")), "rm-system"),
    ("rm -rf $HOME", analysis(cmd("rm -rf $HOME")), "rm-system"),
    ("rm -rf ${HOME}/", analysis(cmd("rm -rf ${HOME}/")), "rm-system"),
    ("rm -rf \"$dir/\"", analysis(cmd("rm -rf $dir/")), "rm-system"),
    ("rm -rf /home/bob", analysis(cmd("rm -rf /home/bob")), "rm-system"),
    ("rm -rf /var/lib", analysis(cmd("rm -rf /var/lib")), "rm-system"),
    ("rm $opts /etc", analysis(cmd("rm $opts /etc")), "rm-system"),
    ("/bin/rm --recursive --force /etc", analysis(cmd("/bin/rm --recursive --force /etc")), "rm-system"),
    ("rm --recur /usr", analysis(cmd("rm --recur /usr")), "rm-system"),
    ("rm -rf --no-preserve-root /", analysis(cmd("rm -rf --no-preserve-root /")), "rm-system"),
    ("rm -rf -- /", analysis(cmd("rm -rf -- /")), "rm-system"),
    ("sudo rm -rf /", analysis(cmd("sudo rm -rf /"), cmd("rm -rf /", derived: true, via: ["sudo"])), "rm-system"),
    ("bash -c 'rm -rf /'", analysis(cmd("bash -c rm_-rf_/"), cmd("rm -rf /", derived: true, via: ["bash -c"])), "rm-system"),
    ("find / -delete", analysis(cmd("find / -delete", deletes: true)), "find-delete-system"),
    ("find /etc -name x -delete", analysis(cmd("find /etc -name x -delete", deletes: true)), "find-delete-system"),
    ("chmod -R 777 /", analysis(cmd("chmod -R 777 /")), "chmod-chown-system"),
    ("chown -R nobody /etc", analysis(cmd("chown -R nobody /etc")), "chmod-chown-system"),
    ("mkfs.ext4 /dev/sdb1", analysis(cmd("mkfs.ext4 /dev/sdb1")), "make-filesystem"),
    ("wipefs -a /dev/sda", analysis(cmd("wipefs -a /dev/sda")), "make-filesystem"),
    ("shred /dev/nvme0n1", analysis(cmd("shred /dev/nvme0n1")), "shred-device"),
    ("dd of=/dev/sda", analysis(cmd("dd if=/dev/zero of=/dev/sda bs=1M")), "dd-device"),
    ("dd of=/dev//sda", analysis(cmd("dd of=/dev//sda")), "dd-device"),
    ("> /dev/sda", analysis(ExtractedCommand(argv: [], redirects: [writes("/dev/sda")], range: 0..<10)), "write-device"),
    ("cat x > /dev/sda", analysis(cmd("cat x", redirects: [writes("/dev/sda")])), "write-device"),
    ("echo x >> /dev/disk/by-id/foo", analysis(cmd("echo x", redirects: [writes("/dev/disk/by-id/foo", op: ">>")])), "write-device"),
    ("echo x | tee /dev/sdb", analysis(cmd("echo x"), cmd("tee /dev/sdb")), "tee-device"),
    ("shutdown -h now", analysis(cmd("shutdown -h now")), "power-state"),
    ("reboot", analysis(cmd("reboot")), "power-state"),
    ("/sbin/poweroff", analysis(cmd("/sbin/poweroff")), "power-state"),
    ("init 0", analysis(cmd("init 0")), "init-runlevel"),
    ("telinit 6", analysis(cmd("telinit 6")), "power-state"),
    ("systemctl reboot", analysis(cmd("systemctl reboot")), "systemctl-power"),
    ("systemctl --force poweroff", analysis(cmd("systemctl --force poweroff")), "systemctl-power"),
    (":(){ :|:& };:", analysis(cmd(":"), cmd(":"), cmd(":")), "fork-bomb"),
    ("bomb(){ bomb | bomb & }; bomb", analysis(cmd("bomb"), cmd("bomb"), cmd("bomb")), "fork-bomb"),
    ("kill -9 1", analysis(cmd("kill -9 1")), "kill-init"),
    ("kill 1", analysis(cmd("kill 1")), "kill-init"),
    ("kill -9 -1", analysis(cmd("kill -9 -1")), "kill-all"),
    ("kill -- -1", analysis(cmd("kill -- -1")), "kill-all"),
    ("kill -s KILL -1", analysis(cmd("kill -s KILL -1")), "kill-all"),
    ("iptables -F", analysis(cmd("iptables -F")), "firewall-flush"),
    ("iptables -t nat --flush", analysis(cmd("iptables -t nat --flush")), "firewall-flush"),
    ("nft flush ruleset", analysis(cmd("nft flush ruleset")), "nft-flush"),
    ("crontab -r", analysis(cmd("crontab -r")), "crontab-remove"),
    ("userdel bob", analysis(cmd("userdel bob")), "delete-account"),
    ("curl x | sh", analysis(cmd("curl -s https://x/install.sh"), cmd("sh", opaque: .fedToInterpreter)), "pipe-to-interpreter"),
    ("base64 -d x | bash", analysis(cmd("base64 -d x"), cmd("bash", opaque: .fedToInterpreter)), "pipe-to-interpreter"),
    ("curl x | sudo bash", analysis(cmd("curl x"), cmd("sudo bash"), cmd("bash", derived: true, via: ["sudo"], opaque: .fedToInterpreter)),
     "pipe-to-interpreter"),
    ("bash <(curl -s x)", analysis(ExtractedCommand(argv: [ShellWord("bash"), ShellWord("<(curl -s x)", isDynamic: true)], range: 0..<17),
                                   cmd("curl -s x")), "download-to-interpreter"),
    ("$cmd args", analysis(cmd("$cmd args")), "dynamic-command"),
    ("$(echo rm) -rf x", analysis(cmd("echo rm"), cmd("$(echo_rm) -rf x")), "dynamic-command"),
    ("eval \"$x\"", analysis(cmd("eval $x", opaque: .dynamicShellString)), "dynamic-eval"),
    ("sh -c \"$x\"", analysis(cmd("sh -c $x", opaque: .dynamicShellString)), "dynamic-eval"),
]

/// Ordinary work the guard must leave alone.
let ordinaryCases: [(String, LineAnalysis)] = [
    ("rm -rf build/", analysis(cmd("rm -rf build/"))),
    ("rm -rf /tmp/x", analysis(cmd("rm -rf /tmp/x"))),
    ("rm -rf ./node_modules", analysis(cmd("rm -rf ./node_modules"))),
    ("rm -rf ~/build", analysis(cmd("rm -rf ~/build"))),
    ("rm -rf $dir/build", analysis(cmd("rm -rf $dir/build"))),
    ("rm -rf /var/log/myapp/old", analysis(cmd("rm -rf /var/log/myapp/old"))),
    ("rm /etc", analysis(cmd("rm /etc"))),
    ("git rm -r src/old", analysis(cmd("git rm -r src/old"))),
    ("grep 'rm -rf /' notes", analysis(cmd("grep rm_-rf_/ notes"))),
    ("echo shutdown", analysis(cmd("echo shutdown"))),
    ("echo reboot | wall", analysis(cmd("echo reboot"), cmd("wall"))),
    ("dd if=/dev/sda of=disk.img", analysis(cmd("dd if=/dev/sda of=disk.img"))),
    ("dd if=/dev/zero of=/dev/null", analysis(cmd("dd if=/dev/zero of=/dev/null"))),
    ("cat /dev/sda | head", analysis(cmd("cat /dev/sda"), cmd("head"))),
    ("find . -name '*.o' -delete", analysis(cmd("find . -name *.o -delete", deletes: true))),
    ("chmod -R g+w /srv/app/uploads", analysis(cmd("chmod -R g+w /srv/app/uploads"))),
    ("kill -9 1234", analysis(cmd("kill -9 1234"))),
    ("kill -1 1234", analysis(cmd("kill -1 1234"))),
    ("iptables -L", analysis(cmd("iptables -L -n"))),
    ("crontab -l", analysis(cmd("crontab -l"))),
    ("systemctl status nginx", analysis(cmd("systemctl status nginx"))),
    ("cat install.sh | bash", analysis(cmd("cat install.sh"), cmd("bash", opaque: .fedToInterpreter))),
    ("curl -o x https://y", analysis(cmd("curl -o x https://y"))),
    ("ls > /dev/null 2>&1", analysis(cmd("ls", redirects: [writes("/dev/null"), Redirection(op: ">&", fd: 2, target: ShellWord("1"))]))),
    ("make -j4 > build.log", analysis(cmd("make -j4", redirects: [writes("build.log")]))),
    ("sudo systemctl restart nginx", analysis(cmd("sudo systemctl restart nginx"), cmd("systemctl restart nginx", derived: true, via: ["sudo"]))),
    ("init --version", analysis(cmd("init --version"))),
    (": > app.log", analysis(cmd(":", redirects: [writes("app.log")]))),
    ("sudo -i", analysis(cmd("sudo -i"), cmd("$SHELL", derived: true, via: ["sudo"]))),
    ("bash <(cat x)", analysis(ExtractedCommand(argv: [ShellWord("bash"), ShellWord("<(cat x)", isDynamic: true)], range: 0..<13), cmd("cat x"))),
]

@Suite struct DestructiveGuardTests {
    /// The built-in guard compiles without a single problem.
    @Test func builtinGuardCompiles() {
        #expect(BuiltinGuards.problems().isEmpty, "\(BuiltinGuards.problems())")
        #expect((BuiltinGuards.all["destructive"]?.rules.count ?? 0) > 20)
    }

    /// Every listed danger is denied by the named rule, with a message saying what and why.
    @Test(arguments: destructiveCases)
    func blocksDanger(_ label: String, _ line: LineAnalysis, _ rule: String) {
        let decision = decide(guardEngine, line, text: label)
        #expect(decision.verdict == .deny, "\(label)")
        #expect(decision.ruleID == "destructive/\(rule)", "\(label)")
        #expect(decision.message.contains("blocked"), "\(label)")
    }

    /// Ordinary work that only looks dangerous stays allowed.
    @Test(arguments: ordinaryCases)
    func allowsOrdinaryWork(_ label: String, _ line: LineAnalysis) {
        let decision = decide(guardEngine, line, text: label)
        #expect(decision.verdict == .allow, "\(label): \(decision.ruleID ?? "-") \(decision.message)")
    }

    /// A role that exempts one guard rule gets that command, and only that one, back.
    @Test func exemptionLiftsOneRule() throws {
        let (config, _) = try loadPolicy("""
        roles:
          - name: ops
            groups: [ops]
            targets: [web1]
            capabilities: [exec]
            mode: guard
            guards: [destructive]
            exempt: [destructive/power-state]
        """)
        let engine = PolicyEngine(config: config)
        let ops = Subject(user: "o", groups: ["ops"])
        #expect(decide(engine, analysis(cmd("reboot")), subject: ops).verdict == .allow)
        #expect(decide(engine, analysis(cmd("rm -rf /")), subject: ops).verdict == .deny)
    }

    /// Defining a guard named `destructive` replaces the built-in one.
    @Test func guardIsOverridableByName() throws {
        let (config, _) = try loadPolicy("""
        guards:
          destructive:
            rules:
              - {id: no-reboot, action: deny, command: reboot, message: no reboot here}
        roles:
          - {name: r, groups: [g], targets: [web1], capabilities: [exec], mode: guard, guards: [destructive]}
        """)
        let engine = PolicyEngine(config: config)
        let subject = Subject(user: "u", groups: ["g"])
        #expect(decide(engine, analysis(cmd("reboot")), subject: subject).ruleID == "destructive/no-reboot")
        #expect(decide(engine, analysis(cmd("rm -rf /")), subject: subject).verdict == .allow)
    }
}
