import ConfigReader

/// Guards shipped with bastion, written in the same rule syntax as the configuration so they
/// can be read (`bastion policy guard show destructive`) and replaced by defining a guard of
/// the same name under `guards:`.
public enum BuiltinGuards {
    /// Built-in guard sources by name.
    public static let sources: [String: String] = ["destructive": destructive]

    /// The compiled built-in guards. A source that failed to compile (a bug caught by the
    /// tests) becomes a guard that denies everything: a broken guard must not open the door.
    public static let all: [String: Guard] = {
        var guards: [String: Guard] = [:]
        for (name, text) in sources {
            let parser = PolicyConfigParser(targets: [], targetsKnown: false)
            if let node = parser.attempt({ try ConfigNode.parse(text, file: "builtin:\(name)") }),
               let parsed = parser.parseGuard(name: name, node: node, builtin: true), !parser.problems.contains(where: { !$0.isWarning }) {
                guards[name] = parsed
            } else {
                let problems = parser.problems.map(\.description).joined(separator: "; ")
                let rule = Rule(id: "\(name)/broken", action: .deny,
                                message: "the built-in guard '\(name)' failed to load (\(problems)); report this bug",
                                match: CommandMatch(), location: "builtin:\(name)")
                guards[name] = Guard(name: name, description: "broken", rules: [rule], isBuiltin: true)
            }
        }
        return guards
    }()

    /// Problems compiling the built-in guards (empty unless there is a bug; the tests check it).
    public static func problems() -> [ConfigError] {
        sources.flatMap { name, text -> [ConfigError] in
            let parser = PolicyConfigParser(targets: [], targetsKnown: false)
            if let node = parser.attempt({ try ConfigNode.parse(text, file: "builtin:\(name)") }) {
                _ = parser.parseGuard(name: name, node: node, builtin: true)
            }
            return parser.problems
        }
    }

    /// `destructive`: mistakes that destroy a host, and code bastion cannot see.
    public static let destructive = #"""
    description: >-
      Blocks mistakes that destroy a host: recursive or forced deletion of /, system or home
      directories; creating, wiping or raw-writing disks; power state; fork bombs; recursive
      chmod/chown of system directories; killing PID 1 or every process; flushing the firewall;
      crontab -r; deleting accounts; downloaded or decoded code piped into an interpreter; and
      command names or eval text known only at run time. Ordinary work (build output, temp
      files, git rm, grep for dangerous text, reading a disk) stays allowed.
    rules:
      - id: rm-system
        action: deny
        command: rm
        flags: ["-r|-R|--recursive|-f|--force"]
        args: &system
          - /
          - /{bin,boot,dev,etc,home,lib,lib32,lib64,libx32,media,mnt,opt,proc,root,run,sbin,snap,srv,sys,usr,var}
          - /usr/{bin,sbin,lib,lib32,lib64,libexec,include,share,local,src}
          - /var/{lib,log,spool,cache,mail,backups}
          - /home/*
          - /Users/*
          - "~"
          - "~/.."
          - "~/../*"
        message: recursive or forced deletion of /, a system directory or a home directory is blocked (it destroys the host or someone's files)
      - id: find-delete-system
        action: deny
        command: find
        deletes: true
        args: *system
        message: find -delete over /, a system directory or a home directory is blocked (it destroys the host or someone's files)
      - id: find-exec-rm-system
        action: deny
        command: rm
        via: [find -exec, find -execdir, find -ok, find -okdir, xargs]
        flags: ["-r|-R|--recursive|-f|--force"]
        message: recursive or forced deletion over find or xargs results is blocked here when the walk starts at / or a system directory
        line_contains: [find]
        line_regex: ['(^|[;&|(\s])find\s+(-[HLP]\s+)*(/|/(bin|boot|dev|etc|home|lib|lib64|opt|root|sbin|srv|usr|var))/?(\s|$)']
      - id: chmod-chown-system
        action: deny
        command: [chmod, chown, chgrp, setfacl, chattr]
        flags: ["-R|--recursive"]
        args: *system
        message: recursive permission or ownership changes on /, a system directory or a home directory are blocked (they break the host)
      - id: make-filesystem
        action: deny
        command: [mkfs, "mkfs.*", mke2fs, mkswap, mkdosfs, wipefs, blkdiscard, sgdisk]
        message: creating or wiping a filesystem or partition table is blocked (it erases a disk)
      - id: shred-device
        action: deny
        command: [shred, badblocks]
        args: &disks
          - /dev/{sd,hd,vd,xvd,nvme,mmcblk,dm-,md,nbd,sr}*
          - /dev/{disk,mapper}/**
          - /dev/root
        message: overwriting a block device is blocked (it erases a disk)
      - id: dd-device
        action: deny
        command: dd
        args:
          - of=/dev/{sd,hd,vd,xvd,nvme,mmcblk,dm-,md,nbd,sr}*
          - of=/dev/{disk,mapper}/**
          - of=/dev/root
        message: dd writing to a block device is blocked (it erases a disk); reading one (if=) is fine
      - id: write-device
        action: deny
        redirects: *disks
        message: redirecting output onto a block device is blocked (it erases a disk)
      - id: tee-device
        action: deny
        command: tee
        args: *disks
        message: tee writing to a block device is blocked (it erases a disk)
      - id: power-state
        action: deny
        command: [shutdown, reboot, halt, poweroff, telinit, kexec]
        message: changing the power state is blocked (it takes the host down for everyone)
      - id: init-runlevel
        action: deny
        command: init
        args: ["0", "6", "1", "s", "S"]
        message: switching runlevel to halt, reboot or single-user is blocked (it takes the host down for everyone)
      - id: systemctl-power
        action: deny
        command: systemctl
        # the verbs, and the targets that reach the same states (`systemctl isolate reboot.target`)
        args: [poweroff, reboot, halt, kexec, soft-reboot, rescue, emergency, suspend, hibernate, hybrid-sleep,
               suspend-then-hibernate, poweroff.target, reboot.target, halt.target, kexec.target, soft-reboot.target,
               rescue.target, emergency.target, runlevel0.target, runlevel1.target, runlevel6.target, ctrl-alt-del.target,
               suspend.target, hibernate.target, hybrid-sleep.target, suspend-then-hibernate.target, sleep.target]
        message: changing the power state is blocked (it takes the host down for everyone)
      - id: fork-bomb
        action: deny
        line_contains: ["(", ")", "{", "|", "&"]
        line_regex:
          - '([A-Za-z_:][A-Za-z0-9_:.-]*)\s*\(\s*\)\s*\{[^}]*\1\s*\|&?\s*\1\s*&'
          - 'function\s+([A-Za-z_:][A-Za-z0-9_:.-]*)[^{]*\{[^}]*\1\s*\|&?\s*\1\s*&'
        message: a function that pipes itself into itself in the background is a fork bomb; it is blocked (it hangs the host)
      - id: kill-init
        action: deny
        command: [kill]
        arg_regex: ['^\s*\+?0*1\s*$']
        message: killing PID 1 (init) is blocked (it takes the host down)
      - id: kill-all
        action: deny
        command: [kill]
        args_text: '^(--\s+)?-0*1$|\S\s+(--\s+)?-0*1(\s|$)'
        message: kill -1 signals every process you can reach; it is blocked
      - id: kill-everything
        action: deny
        command: [killall5]
        message: killall5 signals every process; it is blocked
      - id: firewall-flush
        action: deny
        command: [iptables, ip6tables, iptables-nft, ip6tables-nft, iptables-legacy, ip6tables-legacy, ebtables, arptables]
        flags: ["-F|--flush"]
        message: flushing the firewall is blocked (it drops every rule, including those that keep the host reachable or safe)
      - id: nft-flush
        action: deny
        command: nft
        args_text: '(^|\s)flush\s+(ruleset|table|chain)(\s|$)'
        message: flushing the nftables ruleset is blocked (it drops every firewall rule)
      - id: ufw-off
        action: deny
        command: ufw
        args: [disable, reset]
        message: disabling or resetting the firewall is blocked
      - id: crontab-remove
        action: deny
        command: crontab
        flags: ["-r|--remove"]
        message: crontab -r deletes every cron job of the user without asking; it is blocked (use crontab -e)
      - id: delete-account
        action: deny
        command: [userdel, groupdel, deluser, delgroup]
        message: deleting users or groups is blocked (it orphans files and locks people out)
      - id: pipe-to-interpreter
        action: deny
        opaque: [fed_to_interpreter]
        with_command: [curl, wget, fetch, aria2c, base64, base32, basenc, xxd, uudecode, openssl, gpg, nc, ncat, netcat, socat, gunzip, zcat, bunzip2, xz, unxz]
        message: downloaded or decoded content piped into an interpreter is blocked (bastion cannot see the code it would run)
      - id: download-to-interpreter
        action: deny
        command: [sh, bash, dash, zsh, ksh, fish, python, python3, perl, ruby, node, php]
        arg_regex: ['^<\(']
        with_command: [curl, wget, fetch, aria2c, base64, base32, basenc, xxd, uudecode, openssl, gpg, nc, ncat, netcat, socat, gunzip, zcat, bunzip2, xz, unxz]
        message: running downloaded or decoded content as a script is blocked (bastion cannot see the code it would run)
      - id: dynamic-command
        action: deny
        dynamic_name: true
        message: the command name is only known at run time (a variable or substitution), so bastion cannot see what would run; it is blocked
      - id: dynamic-eval
        action: deny
        opaque: [dynamic_shell_string, nesting_limit]
        message: eval, sh -c or fc of text only known at run time is blocked (bastion cannot see the code it would run)
    """#
}
