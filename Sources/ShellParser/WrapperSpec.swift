/// How a command that runs another one reads its own arguments: where its options end, how many
/// operands of its own come before the command (`timeout 5s CMD`, `taskset MASK CMD`), and what
/// it runs when given none. One table (``WrapperSpec/table``) holds the wrappers whose shape is
/// only that; those with more to them (sudo, env, su, find, xargs, …) are read by
/// ``CommandUnwrapper`` itself.
struct WrapperSpec: Sendable {
    /// The wrapper's options (those taking a value named, so their values are skipped).
    var options: OptionScanner
    /// Operands of the wrapper's own before the command: a duration, a CPU mask, a directory.
    var operands = 0
    /// A further operand skipped only when it is a number (chrt's priority, optional in newer
    /// versions for the policies that take none).
    var numericOperand = false
    /// Options with which the wrapper runs no command (`ionice -p PID`, `command -v`, `taskset -p`).
    var runsNothingWith: Set<String> = []
    /// The wrapper starts a shell when given no command (`chroot DIR`, `unshare`, `fakeroot`).
    var startsShellAlone = false
    /// The operands come before the options (`setarch ARCH -R CMD`).
    var operandsFirst = false
    /// Options whose value the tool hands to a shell (fakeroot `eval`s its library and daemon).
    var shellTextOptions: Set<String> = []
    /// Options whose value, written `|CMD` or `!CMD`, is a command the tool starts (strace's output).
    var pipeOptions: Set<String> = []
    /// Options whose value (`NAME=VALUE`) goes into the command's environment (`strace -E`).
    var environmentOptions: Set<String> = []
    /// Options whose value is a program the tool starts (fakeroot's `--faked`).
    var programOptions: Set<String> = []

    init(_ options: OptionScanner = OptionScanner(), operands: Int = 0, operandsFirst: Bool = false, numericOperand: Bool = false,
         runsNothingWith: Set<String> = [], startsShellAlone: Bool = false, shellTextOptions: Set<String> = [],
         pipeOptions: Set<String> = [], environmentOptions: Set<String> = [], programOptions: Set<String> = []) {
        self.programOptions = programOptions
        self.shellTextOptions = shellTextOptions
        self.environmentOptions = environmentOptions
        self.pipeOptions = pipeOptions
        self.options = options
        self.operands = operands
        self.operandsFirst = operandsFirst
        self.numericOperand = numericOperand
        self.runsNothingWith = runsNothingWith
        self.startsShellAlone = startsShellAlone
    }

    /// What the wrapper runs, read from its argv.
    enum Target: Equatable {
        /// Nothing: a listing, a query, an operation on a running process.
        case nothing
        /// The command that starts at this index of argv.
        case command(at: Int)
        /// The user's shell.
        case shell
    }

    /// What a wrapper's arguments say it runs.
    struct Reading {
        var target: Target = .nothing
        /// Shell text its options carry (``shellTextOptions``, ``pipeOptions``).
        var shellText: [ShellWord] = []
        /// Variables its options put in the command's environment.
        var environment: [ShellWord] = []
        /// Programs its options name (``programOptions``).
        var programs: [ShellWord] = []
        /// Where the command starts if an abbreviated option read as taking a value takes none.
        var alternative: Int?
    }

    /// Where the wrapped command starts in `argv` (argv[0] is the wrapper), and what else its
    /// options run.
    func reading(of argv: [ShellWord]) -> Reading {
        var scanner = options
        var start = operandsFirst ? scanner.scan(argv, from: 1 + operands) : scanner.scan(argv, from: 1) + operands
        var reading = Reading()
        for (name, value) in scanner.seen {
            guard let value else { continue }
            if environmentOptions.contains(name) { reading.environment.append(value) }
            if programOptions.contains(name) { reading.programs.append(value) }
            if shellTextOptions.contains(name), value.isDynamic || value.text.utf8.contains(where: WrapperSpec.shellSpecial.contains) {
                reading.shellText.append(value)
            } else if pipeOptions.contains(name), let first = value.text.first, first == "|" || first == "!" {
                reading.shellText.append(ShellWord(String(value.text.dropFirst()), isDynamic: value.isDynamic))
            }
        }
        if runsNothingWith.contains(where: { scanner.has($0) }) { return reading }
        if numericOperand, start < argv.count, WrapperSpec.isNumber(argv[start]) { start += 1 }
        if let guessed = scanner.guessedValues.first, guessed + operands < argv.count, guessed + operands != start {
            reading.alternative = guessed + operands
        }
        if start < argv.count {
            reading.target = .command(at: start)
        } else if startsShellAlone && start == argv.count {
            reading.target = .shell
        }
        return reading
    }

    /// A number as `strtol` reads one: blanks, a sign, digits.
    static func isNumber(_ word: ShellWord) -> Bool {
        guard !word.isDynamic else { return false }
        var digits = word.text.utf8.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A }
        if let sign = digits.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { digits = digits.dropFirst() }
        return !digits.isEmpty && digits.allSatisfy(LineParser.isDigit)
    }

    /// Bytes that make a value shell text rather than a plain path.
    static let shellSpecial: Set<UInt8> = Set("$`;|&<>(){}'\" \t\n\\*?[~#=".utf8)

    private static func scanner(_ short: String = "", _ long: Set<String> = [], flags: Set<String> = [], optional: String = "",
                                numeric: Bool = false) -> OptionScanner {
        OptionScanner(shortWithValue: Set(short.utf8), longWithValue: long, longFlags: flags, shortWithOptionalValue: Set(optional.utf8),
                      numericOptions: numeric)
    }

    /// fakeroot (its SysV and TCP builds alike): `-l`/`-f` name a library and a daemon, which it
    /// `eval`s.
    private static let fakeroot = WrapperSpec(scanner("lfisb", ["lib", "faked", "fd-base"], flags: ["unknown-is-real", "help", "version"]),
                                           startsShellAlone: true, shellTextOptions: ["l", "lib", "f", "faked"], programOptions: ["f", "faked"])

    /// The wrappers read by this table alone, by base name. Options are those of the util-linux,
    /// coreutils, procps, systemd, strace and moreutils versions on current distributions.
    static let table: [String: WrapperSpec] = [
        // bash builtins and coreutils
        "nohup": WrapperSpec(),
        "builtin": WrapperSpec(),
        "busybox": WrapperSpec(),
        "command": WrapperSpec(runsNothingWith: ["v", "V"]),
        "exec": WrapperSpec(scanner("a")),
        "time": WrapperSpec(scanner("fo", ["format", "output"])),
        "nice": WrapperSpec(scanner("n", ["adjustment"], numeric: true)),
        "timeout": WrapperSpec(scanner("ks", ["kill-after", "signal"]), operands: 1),
        "stdbuf": WrapperSpec(scanner("ioe", ["input", "output", "error"])),
        "chroot": WrapperSpec(scanner("", ["userspec", "groups"]), operands: 1, startsShellAlone: true),
        // util-linux
        "ionice": WrapperSpec(scanner("cnpPu", ["class", "classdata", "pid", "pgid", "uid"]),
                              runsNothingWith: ["p", "P", "u", "pid", "pgid", "uid"]),
        "setsid": WrapperSpec(),
        "taskset": WrapperSpec(operands: 1, runsNothingWith: ["p", "pid"]),
        "chrt": WrapperSpec(scanner("DPT", ["sched-runtime", "sched-period", "sched-deadline"]), numericOperand: true,
                            runsNothingWith: ["p", "pid", "m", "max"]),
        "unshare": WrapperSpec(scanner("RwSGl", ["propagation", "setgroups", "setuid", "setgid", "root", "wd", "load-interp",
                                                 "map-user", "map-group", "map-users", "map-groups", "monotonic", "boottime"]),
                               startsShellAlone: true),
        "nsenter": WrapperSpec(scanner("tSGWN", ["target", "setuid", "setgid", "wdns", "net-socket"], optional: "muinpUCTrw"),
                               startsShellAlone: true),
        "prlimit": WrapperSpec(scanner("po", ["pid", "output"], optional: "cdefilmnqrstuvxy")),
        "setpriv": WrapperSpec(scanner("", ["ruid", "euid", "rgid", "egid", "reuid", "regid", "groups", "inh-caps", "ambient-caps",
                                            "bounding-set", "securebits", "pdeathsig", "selinux-label", "apparmor-profile",
                                            "landlock-access", "landlock-rule", "seccomp-filter"]),
                               runsNothingWith: ["d", "dump"]),
        "setarch": WrapperSpec(operands: 1, operandsFirst: true, startsShellAlone: true),
        "linux32": WrapperSpec(startsShellAlone: true),
        "linux64": WrapperSpec(startsShellAlone: true),
        // (setarch under an architecture's name, as util-linux installs it)
        "x86_64": WrapperSpec(startsShellAlone: true),
        "i386": WrapperSpec(startsShellAlone: true),
        "uname26": WrapperSpec(startsShellAlone: true),
        "choom": WrapperSpec(scanner("np", ["adjust", "pid"]), runsNothingWith: ["p", "pid"]),
        // privilege and sandboxes
        "pkexec": WrapperSpec(scanner("", ["user"]), startsShellAlone: true),
        "run0": WrapperSpec(scanner("ugD", ["user", "group", "chdir", "unit", "property", "description", "slice", "nice",
                                           "setenv", "background", "machine"]),
                            startsShellAlone: true, environmentOptions: ["setenv"]),
        "systemd-run": WrapperSpec(scanner("pEHMu", ["unit", "property", "description", "slice", "uid", "gid", "nice",
                                                    "working-directory", "setenv", "on-active", "on-boot", "on-startup",
                                                    "on-unit-active", "on-unit-inactive", "on-calendar", "timer-property",
                                                    "path-property", "socket-property", "service-type", "host", "machine",
                                                    "capsule", "root-directory", "job-mode", "background", "json"]),
                                   environmentOptions: ["E", "setenv"]),
        "systemd-inhibit": WrapperSpec(scanner("", ["what", "who", "why", "mode"]), runsNothingWith: ["list"]),
        "fakeroot": fakeroot, "fakeroot-sysv": fakeroot, "fakeroot-tcp": fakeroot,
        "firejail": WrapperSpec(startsShellAlone: true),
        "dbus-run-session": WrapperSpec(scanner("", ["config-file", "dbus-daemon"]), programOptions: ["dbus-daemon"]),
        "dbus-launch": WrapperSpec(scanner("", ["config-file", "autolaunch"])),
        "gpg-agent": WrapperSpec(scanner("", ["homedir", "options", "log-file", "debug-level", "debug", "pinentry-program",
                                             "scdaemon-program", "default-cache-ttl", "max-cache-ttl", "extra-socket", "browser-socket"]),
                                 programOptions: ["pinentry-program", "scdaemon-program"]),
        "debconf-apt-progress": WrapperSpec(scanner("", ["from", "to", "logfile", "dlwaypoint"]),
                                            runsNothingWith: ["config", "start", "stop"]),
        "dpkg-architecture": WrapperSpec(scanner("atATeiq", ["host-arch", "host-type", "target-arch", "target-type", "equal", "is",
                                                          "query"])),
        "cgexec": WrapperSpec(scanner("g")),
        "numactl": WrapperSpec(scanner("iNmCpPw", ["interleave", "cpunodebind", "membind", "physcpubind", "preferred",
                                                  "preferred-many", "weighted-interleave"])),
        "setuidgid": WrapperSpec(operands: 1),
        "logsave": WrapperSpec(operands: 1),
        // tracing and measuring
        "strace": WrapperSpec(scanner("abeEIoOpPsSuUX", ["abbrev", "attach", "columns", "const-print-style", "detach-on", "env",
                                                         "fault", "inject", "interruptible", "kvm", "output", "decode-pids", "raw", "read", "signal",
                                                         "status", "string-limit", "summary-columns", "summary-sort-by",
                                                         "summary-syscall-overhead", "trace", "trace-path", "trace-fds", "user",
                                                         "verbose", "write"],
                                      flags: ["absolute-timestamps", "daemonize", "debug", "decode-fds", "failed-only",
                                              "follow-forks", "help", "instruction-pointer", "no-abbrev", "output-append-mode",
                                              "output-separately", "quiet", "relative-timestamps", "seccomp-bpf", "stack-traces",
                                              "strings-in-hex", "successful-only", "summary", "summary-only", "summary-wall-clock",
                                              "syscall-number", "syscall-times", "tips", "version", "silent", "silence"]),
                              pipeOptions: ["o", "output"], environmentOptions: ["E", "env"]),
        "ltrace": WrapperSpec(scanner("AaDeFlnopsuxwL", ["output", "library", "indent", "align", "config", "where", "debug"]),
                              pipeOptions: ["o", "output"]),
        "valgrind": WrapperSpec(),
        "catchsegv": WrapperSpec(),
        "memusage": WrapperSpec(scanner("npdxyb", ["progname", "png", "data", "x-size", "y-size", "buffer", "title"])),
        "sotruss": WrapperSpec(scanner("FTo", ["from", "to", "output"])),
        "heaptrack": WrapperSpec(scanner("oa", ["output", "analyze", "pid"]), runsNothingWith: ["p", "pid", "a", "analyze"]),
        "msgexec": WrapperSpec(scanner("iD", ["input", "directory"])),
        // moreutils and friends
        "chronic": WrapperSpec(),
        "ifne": WrapperSpec(),
        "eatmydata": WrapperSpec(),
        "nocache": WrapperSpec(),
        "unbuffer": WrapperSpec(),
        "cpulimit": WrapperSpec(scanner("lpe", ["limit", "pid", "exe"]), runsNothingWith: ["p", "pid", "e", "exe"]),
        "proxychains": WrapperSpec(scanner("f")),
        "proxychains4": WrapperSpec(scanner("f")),
        "torsocks": WrapperSpec(scanner("upaP", ["user", "pass", "address", "port"])),
        "ssh-agent": WrapperSpec(scanner("aEOPt")),
    ]
}
