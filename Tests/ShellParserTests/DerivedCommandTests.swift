import Testing
@testable import ShellParser

/// Wrappers are unwrapped into derived commands with their chain, and hidden code is flagged.
struct DerivedCommandTests {
    static let table: [(String, [String])] = [
        ("sudo -u root -E -- rm -rf /", ["sudo -u root -E -- rm -rf /", "[sudo] rm -rf /"]),
        ("sudo --user=root FOO=1 rm x", ["sudo --user=root FOO=1 rm x", "[sudo] rm x"]),
        ("sudo -i", ["sudo -i", "[sudo] $SHELL?"]),
        // The shell a wrapper starts reads the wrapper's stdin as its script: text known here is
        // decided as bash reads it.
        ("sudo -s <<< 'rm x'; echo 'rm y' | su -", ["sudo -s", "[sudo] $SHELL?", "[sudo,$SHELL <<<] rm x", "echo rm y", "su -",
                                                   "[su] $SHELL?", "[su,| $SHELL] rm y"]),
        // ssh's remote command (after the destination and any options after it; the words joined
        // and read by the remote shell), or its script on stdin; none with -N, -W, -s.
        ("ssh -p 22 op@h -v 'rm x; ls' y; ssh -- h rm z", ["ssh -p 22 op@h -v rm x; ls y", "[ssh] rm x", "[ssh] ls y",
                                                         "ssh -- h rm z", "[ssh] rm z"]),
        ("ssh -o RemoteCommand='rm x' h; ssh h <<< 'rm y'; ssh -N -L 1:h:2 h; ssh -s h sftp", [
            "ssh -o RemoteCommand=rm x h", "[ssh -o remotecommand] rm x", "ssh h", "[ssh] $SHELL?", "[ssh,$SHELL <<<] rm y",
            "ssh -N -L 1:h:2 h", "ssh -s h sftp"]),
        // (A word known only at run time may be an option, its value or the destination: the
        // command may start at any word after it.)
        ("ssh $o 22 h rm x", ["ssh $o? 22 h rm x", "[ssh] 22 h rm x", "[ssh] h rm x", "[ssh] rm x", "[ssh] x"]),
        // A job at and batch read now and /bin/sh runs later; none when listing or removing jobs.
        ("echo 'rm x' | at now; batch <<< 'rm y'; at -f /dev/stdin -q b 10:00 <<< 'rm z'; at -l; atq", [
            "echo rm x", "at now", "[| at] rm x", "batch", "[batch <<<] rm y", "at -f /dev/stdin -q b 10:00", "[at <<<] rm z",
            "at -l", "atq"]),
        // A command run inside a container, decided as the same command run here; none for
        // other subcommands, nor without `--` for kubectl.
        ("docker exec -it -u root -w /srv web rm x; docker --context prod container exec -e A=1 web rm y", [
            "docker exec -it -u root -w /srv web rm x", "[docker exec] rm x", "docker --context prod container exec -e A=1 web rm y",
            "[docker exec] rm y"]),
        ("podman exec -l rm x; nerdctl -n k8s.io exec c rm y; docker compose -f c.yml exec -T app rm z", [
            "podman exec -l rm x", "[podman exec] rm x", "nerdctl -n k8s.io exec c rm y", "[nerdctl exec] rm y",
            "docker compose -f c.yml exec -T app rm z", "[docker exec] rm z"]),
        ("kubectl -n prod exec -it pod -c app -- sh -c 'rm x'; oc exec pod -- rm y; crictl exec -i c rm z", [
            "kubectl -n prod exec -it pod -c app -- sh -c rm x", "[kubectl exec] sh -c rm x", "[kubectl exec,sh -c] rm x",
            "oc exec pod -- rm y", "[oc exec] rm y", "crictl exec -i c rm z", "[crictl exec] rm z"]),
        ("docker ps; docker exec web; docker run web rm x; kubectl exec pod rm y; docker-compose exec app rm z", [
            "docker ps", "docker exec web", "docker run web rm x", "kubectl exec pod rm y", "docker-compose exec app rm z",
            "[docker-compose exec] rm z"]),
        // (A word known only at run time where the container stands may be options and their
        // values: the command may start at any word after it.)
        ("docker exec $c rm x", ["docker exec $c? rm x", "[docker exec] rm x", "[docker exec] x"]),
        ("script -q /dev/null <<< 'rm x'; runuser -u op <<E\nrm y\nE\n", ["script -q /dev/null", "[script] $SHELL?",
                                                                            "[script,$SHELL <<<] rm x", "runuser -u op", "[runuser] $SHELL?",
                                                                            "[runuser,sh <<] rm y"]),
        ("sudo -l rm", ["sudo -l rm"]),
        ("su - root -c 'rm x'", ["su - root -c rm x", "[su -c] rm x"]),
        ("doas -u op rm x", ["doas -u op rm x", "[doas] rm x"]),
        ("env -i -u HOME A=1 B=2 rm x", ["env -i -u HOME A=1 B=2 rm x", "[env] rm x"]),
        ("env -S 'rm -f' x", ["env -S rm -f x", "[env] env rm -f x", "[env,env] rm -f x"]),
        // -S splits as GNU env does (quotes, `\_`), and its words are env's arguments again.
        ("env -S 'X=1 \"rm\" y\\_z'", ["env -S X=1 \"rm\" y\\_z", "[env] env X=1 rm y z", "[env,env] rm y z"]),
        ("nohup rm x", ["nohup rm x", "[nohup] rm x"]),
        // Wrappers helper 97's review found (round 11), long names included.
        ("x86_64 -R rm x; choom -n 0 rm y; memusage -n p rm z", ["x86_64 -R rm x", "[x86_64] rm x", "choom -n 0 rm y", "[choom] rm y",
                                                                "memusage -n p rm z", "[memusage] rm z"]),
        ("dbus-run-session -- rm x; debconf-apt-progress -- rm y; dpkg-architecture -c rm z", [
            "dbus-run-session -- rm x", "[dbus-run-session] rm x", "debconf-apt-progress -- rm y", "[debconf-apt-progress] rm y",
            "dpkg-architecture -c rm z", "[dpkg-architecture] rm z"]),
        ("gpg-agent --daemon rm x; sotruss -o f rm y; msgexec -i p.po rm z; fakeroot-tcp rm w", [
            "gpg-agent --daemon rm x", "[gpg-agent] rm x", "sotruss -o f rm y", "[sotruss] rm y", "msgexec -i p.po rm z",
            "[msgexec] rm z", "fakeroot-tcp rm w", "[fakeroot-tcp] rm w"]),
        ("nice -n 5 rm x; nice -10 rm y", ["nice -n 5 rm x", "[nice] rm x", "nice -10 rm y", "[nice] rm y"]),
        ("ionice -c 3 rm x", ["ionice -c 3 rm x", "[ionice] rm x"]),
        ("timeout -s KILL 10s rm x", ["timeout -s KILL 10s rm x", "[timeout] rm x"]),
        ("stdbuf -oL rm x", ["stdbuf -oL rm x", "[stdbuf] rm x"]),
        ("chroot /mnt rm x", ["chroot /mnt rm x", "[chroot] rm x"]),
        ("command -p rm x; command -v rm", ["command -p rm x", "[command] rm x", "command -v rm"]),
        ("builtin cd /; exec -a n rm x", ["builtin cd /", "[builtin] cd /", "exec -a n rm x", "[exec] rm x"]),
        ("/usr/bin/time -f %e rm x", ["/usr/bin/time -f %e rm x", "[time] rm x"]),
        ("watch -n 1 'ls | rm x'", ["watch -n 1 ls | rm x", "[watch] ls", "[watch] rm x"]),
        ("watch -x rm x", ["watch -x rm x", "[watch] rm x"]),
        ("ls | xargs rm -f", ["ls", "xargs rm -f", "[xargs] rm -f {stdin}?"]),
        ("xargs -0 -n1", ["xargs -0 -n1", "[xargs] echo {stdin}?"]),
        ("find . -exec rm {} \\; -execdir mv {} x + -ok cat \\;", [
            "find . -exec rm {} ; -execdir mv {} x + -ok cat ;", "[find -exec] rm {}?", "[find -execdir] mv {}? x",
            "[find -ok] cat"]),
        ("busybox rm x", ["busybox rm x", "[busybox] rm x"]),
        ("bash -c 'rm x; ls' name", ["bash -c rm x; ls name", "[bash -c] rm x", "[bash -c] ls"]),
        ("sh -xec 'rm x'", ["sh -xec rm x", "[sh -c] rm x"]),
        ("sudo sh -c 'bash -c \"rm x\"'", ["sudo sh -c bash -c \"rm x\"", "[sudo] sh -c bash -c \"rm x\"",
                                           "[sudo,sh -c] bash -c rm x", "[sudo,sh -c,bash -c] rm x"]),
        ("eval 'rm x' y", ["eval rm x y", "[eval] rm x y"]),
        // Code that runs later: a trap's action, a completion's command and word list.
        ("trap 'rm -rf /' EXIT", ["trap rm -rf / EXIT", "[trap] rm -rf /"]),
        ("trap -- 'rm x' INT; trap - EXIT; trap -p; trap 0 1; trap 'rm z'",
         ["trap -- rm x INT", "[trap] rm x", "trap - EXIT", "trap -p", "trap 0 1", "trap rm z"]),
        // (A callback runs with words bash appends at run time.)
        ("complete -C 'rm x' -F f c", ["complete -C rm x -F f c", "[complete -C] rm x", "[complete -C] rm x $@?"]),
        ("compgen -C touch /tmp/canary", ["compgen -C touch /tmp/canary", "[compgen -C] touch", "[compgen -C] touch $@?"]),
        ("mapfile -t -C 'rm x' -c 1 a < f; readarray -C'rm y'", ["mapfile -t -C rm x -c 1 a", "[mapfile -C] rm x", "[mapfile -C] rm x $@?",
                                                                 "readarray -Crm y", "[readarray -C] rm y", "[readarray -C] rm y $@?"]),
        ("mapfile -t -u 3 a", ["mapfile -t -u 3 a"]),
        // A key bound to shell code runs it when pressed, with no Enter to decide it at: the code
        // as bash 5.2 takes it from the binding (after the quoted key sequence and a colon; in
        // quotes, up to the closing one), every `-x`, however the option is written.
        ("bind -x '\"\\C-a\": rm x'", ["bind -x \"\\C-a\": rm x", "[bind -x] rm x"]),
        ("bind -m vi -x '\"\\C-a\" :\t\"rm \\\"x\" ; ls' -x'\"b\":rm y'", [
            "bind -m vi -x \"\\C-a\" :\t\"rm \\\"x\" ; ls -x\"b\":rm y", "[bind -x] rm \"x", "[bind -x] rm y"]),
        // Bindings of readline functions and macros, listings, and what bash refuses run nothing.
        ("bind '\"\\C-a\": beginning-of-line'; bind -X; bind -x 'C-a: rm x'; bind -x '\"a\" rm x'",
         ["bind \"\\C-a\": beginning-of-line", "bind -X", "bind -x C-a: rm x", "bind -x \"a\" rm x"]),
        ("compgen -W '$(rm y)' -- a", ["compgen -W $(rm y) -- a", "[compgen -W] : $(rm y)?", "[compgen -W] rm y"]),
        // Prompt strings run their substitutions each time they are shown (`\nnn` decoded first),
        // PROMPT_COMMAND its commands before each prompt.
        ("PS1='$(rm x)> '", ["[PS1] rm x"]),
        ("PS1='\\044(rm x)'; PS4+='`rm y`'", ["[PS1] rm x", "[PS4] rm y", "[PS4] $PS4?"]),
        // `\\` is one backslash and the digits after it plain; `\540` is a backquote (the low byte).
        ("PS1='\\\\134\\540rm x\\540'", ["[PS1] rm x"]), ("PS1='\\540rm y\\540'", ["[PS1] rm y"]),
        ("PS1='\\\\\\540rm z\\\\\\540'", []),
        ("export PS0='$(rm x)'", ["export PS0=$(rm x)", "[PS0] rm x"]),
        ("PROMPT_COMMAND='rm x; ls'", ["[PROMPT_COMMAND] rm x", "[PROMPT_COMMAND] ls"]),
        ("PS1='\\u@\\h:\\w\\$ ' X='$(rm x)'", []),
        // Expanded later too: MAILPATH at each mail check, BASH_ENV when a shell starts; and, in a
        // command's environment (env, sudo), an exported function's body.
        ("MAILPATH='/m?$(rm x)'", ["[MAILPATH] rm x"]),
        ("export BASH_ENV='$(rm x)'", ["export BASH_ENV=$(rm x)", "[BASH_ENV] rm x"]),
        ("env 'BASH_FUNC_f%%=() { rm x; }' bash -c f", ["env BASH_FUNC_f%%=() { rm x; } bash -c f", "[BASH_FUNC_f%%] rm x",
                                                        "[env] bash -c f", "[env,bash -c] f"]),
        // A quoted subscript holding a substitution runs it when the text is evaluated as
        // arithmetic (`$((x))`, `[[ x -eq 1 ]]`, `let`, `printf -v`, `[[ -v`).
        ("x='a[$(rm x)]'", ["[subscript] rm x"]),
        ("let 'b[`rm y`]=1'", ["let b[`rm y`]=1", "[subscript] rm y", "[arithmetic] let b[`rm y`]=1"]),
        ("[[ -v 'q[$(rm z)]' ]]", ["[subscript] rm z", "[arithmetic] 'q[$(rm z)]'"]),
        ("a[$(rm w)]=1; echo 'a[1]' '$(not a subscript)'", ["rm w", "[arithmetic] $(rm w)", "echo a[1] $(not a subscript)"]),
        // Also where such text becomes a variable's value: a here-string, a quoted here-document,
        // a loop's word list.
        ("read x <<< 'a[$(rm v)]'", ["read x", "[subscript] rm v"]), ("mapfile a <<'E'\nb[`rm u`]\nE", ["mapfile a", "[subscript] rm u"]),
        ("for x in 'a[$(rm t)]'; do :; done", ["[subscript] rm t", ":"]),
        // Single quotes do not quote inside arithmetic.
        (": $(( '$(rm s)' )); (( '`rm r`' ))", [": $(( '$(rm s)' ))?", "rm s", "[arithmetic]  '$(rm s)' ", "rm r", "[arithmetic]  '`rm r`' "]),
        // Nor in a parameter expansion's offset, length or subscript, nor an array literal's key.
        ("true ${PWD:'$(rm a)'}", ["true ${PWD:'$(rm a)'}?", "rm a", "[arithmetic] '$(rm a)'"]),
        ("echo ${x:0:'`rm b`'}", ["echo ${x:0:'`rm b`'}?", "rm b", "[arithmetic] 0:'`rm b`'"]),
        ("echo ${#a['$(rm c)']}", ["echo ${#a['$(rm c)']}?", "rm c", "[arithmetic] '$(rm c)'"]), ("a=(['$(rm d)']=1 x)", ["rm d"]),
        // An ANSI-C string there is decoded, and what it decodes to expanded.
        ("echo ${x:$'\\x24(rm e)'}", ["echo ${x:$'\\x24(rm e)'}?", "[$'…'] $'\\x24(rm e)'?", "[arithmetic] $'\\x24(rm e)'"]),
        ("echo $(( $'$(rm f)' ))", ["echo $(( $'$(rm f)' ))?", "[$'…'] $'$(rm f)'?", "[arithmetic]  $'$(rm f)' "]),
        // A quoted compound value is parsed by the builtin that is given it.
        ("declare -a 'a=($(rm x))'", ["declare -a a=($(rm x))", "[declare] rm x"]),
        ("readonly -a \"b=(\\`rm y\\`)\"", ["readonly -a b=(`rm y`)", "[readonly] rm y"]),
        // `time [-p] [--]` takes its own options.
        ("time -p -- rm z", ["rm z"]),
        // A here-string is the code a shell or `.` reads from it.
        ("bash <<< 'rm x'", ["bash", "[bash <<<] rm x"]),
        (". /dev/stdin <<< 'rm x'; source /dev/fd/3 3<<< 'rm y'", [". /dev/stdin", "[. <<<] rm x", "source /dev/fd/3", "[source <<<] rm y"]),
        (". /dev/./stdin <<< 'rm z'", [". /dev/./stdin", "[. <<<] rm z"]),
        // And a here-document's body (read after the line's newline), given to a shell or `.`
        // directly or through `cat`; with more than one, the last is the one read.
        ("bash <<'X'\nrm -rf /\nX", ["bash", "[bash <<] rm -rf /"]),
        ("cat <<E | sudo bash\nrm x; ls\nE", ["cat", "sudo bash", "[sudo] bash", "[sudo,bash <<] rm x", "[sudo,bash <<] ls"]),
        ("sudo sh -s <<-X\n\trm y\n\tX", ["sudo sh -s", "[sudo] sh -s", "[sudo,sh <<] rm y"]),
        (". /dev/stdin <<X\nrm z\nX\nsource /dev/fd/3 3<<Y\nrm w\nY", [". /dev/stdin", "[. <<] rm z", "source /dev/fd/3", "[source <<] rm w"]),
        ("bash <<A <<B\nrm a\nA\nrm b\nB", ["bash", "[bash <<] rm b"]),
        ("sh -c 'bash <<X\nrm q\nX'", ["sh -c bash <<X\nrm q\nX", "[sh -c] bash", "[sh -c,bash <<] rm q"]),
        ("cat <<X | python3\nimport os\nX", ["cat", "python3"]),
        // An unquoted body reaches the shell with `\\`, `\$`, `\``` unescaped and backslash-newlines
        // removed; a quoted one as written.
        (". /dev/stdin <<X\n\\\\rm a\nX", [". /dev/stdin", "[. <<] rm a"]),
        ("sh <<X\necho hi \\\\\n; rm b\nX", ["sh", "[sh <<] echo hi", "[sh <<] rm b"]),
        ("bash <<X\n\\`echo rm\\` c\nX", ["bash", "[bash <<] `echo rm`? c", "[bash <<] echo rm"]),
        ("bash <<'X'\n\\\\rm d\nX", ["bash", "[bash <<] \\rm d"]),
        // A script operand that is a descriptor or a process substitution is read as stdin is.
        ("bash /dev/stdin <<< 'rm x'; sh /dev/fd/3 3<<<'rm y'", ["bash /dev/stdin", "[bash <<<] rm x", "sh /dev/fd/3", "[sh <<<] rm y"]),
        ("bash <(echo 'rm x'); source <(printf 'rm y\\n')", ["bash <(echo 'rm x')?", "[bash <(…)] rm x", "echo rm x",
                                                            "source <(printf 'rm y\\n')?", "[source <(…)] rm y", "printf rm y\\n"]),
        ("bash < <(echo 'rm z')", ["bash", "[bash <(…)] rm z", "echo rm z"]),
        ("bash script.sh <<< yes", ["bash script.sh"]),
        // So is the static text an echo or printf pipes into a shell.
        ("echo 'rm x; ls' | sh", ["echo rm x; ls", "sh", "[| sh] rm x", "[| sh] ls"]),
        ("printf 'rm y\\n' | sudo bash -s", ["printf rm y\\n", "sudo bash -s", "[sudo] bash -s", "[sudo,| bash] rm y"]),
        ("echo -n -e 'a\\nrm z' | sh", ["echo -n -e a\\nrm z", "sh", "[| sh] a", "[| sh] rm z"]),
        ("env BASH_ENV='$(rm y)' PATH=/bin bash s", ["env BASH_ENV=$(rm y) PATH=/bin bash s", "[BASH_ENV] rm y", "[env] bash s"]),
        ("/bin/sudo /bin/rm x", ["/bin/sudo /bin/rm x", "[sudo] /bin/rm x"]),
        // Process, scheduling, namespace and privilege wrappers: their options and operands are
        // skipped, what they run is decided.
        ("setsid -f rm x", ["setsid -f rm x", "[setsid] rm x"]),
        ("taskset -c 0,1 rm x; taskset -p 1 23", ["taskset -c 0,1 rm x", "[taskset] rm x", "taskset -p 1 23"]),
        ("chrt -f 10 rm x; chrt --other rm y; chrt -p 5 7", ["chrt -f 10 rm x", "[chrt] rm x", "chrt --other rm y", "[chrt] rm y",
                                                            "chrt -p 5 7"]),
        ("flock -w 5 /tmp/l rm x; flock /tmp/l -c 'rm y'", ["flock -w 5 /tmp/l rm x", "[flock] rm x", "flock /tmp/l -c rm y",
                                                           "[flock -c] rm y"]),
        ("unshare -r -R /mnt rm x; unshare -m", ["unshare -r -R /mnt rm x", "[unshare] rm x", "unshare -m", "[unshare] $SHELL?"]),
        ("nsenter -t 1 -m/proc/1/ns/mnt -n rm x", ["nsenter -t 1 -m/proc/1/ns/mnt -n rm x", "[nsenter] rm x"]),
        ("prlimit -n1024 --cpu=10 rm x", ["prlimit -n1024 --cpu=10 rm x", "[prlimit] rm x"]),
        ("setpriv --reuid 0 --init-groups rm x; setpriv -d", ["setpriv --reuid 0 --init-groups rm x", "[setpriv] rm x", "setpriv -d"]),
        ("strace -f -e trace=file -o /tmp/o rm x", ["strace -f -e trace=file -o /tmp/o rm x", "[strace] rm x"]),
        ("valgrind --tool=none -q rm x", ["valgrind --tool=none -q rm x", "[valgrind] rm x"]),
        ("perf stat -e cycles -- rm x; perf sched record rm y", ["perf stat -e cycles -- rm x", "[perf stat] rm x",
                                                                "perf sched record rm y", "[perf record] rm y"]),
        ("runuser -u bob -- rm x; runuser - bob -c 'rm y'", ["runuser -u bob -- rm x", "[runuser] rm x", "runuser - bob -c rm y",
                                                            "[runuser -c] rm y"]),
        ("su --session-command='rm x'", ["su --session-command=rm x", "[su -c] rm x"]),
        ("sg wheel -c 'rm x; ls'; sg - adm 'rm $0' y; newgrp adm", ["sg wheel -c rm x; ls", "[sg] rm x", "[sg] ls", "sg - adm rm $0 y",
                                                                    "[sg] rm $0?", "newgrp adm", "[newgrp] $SHELL?"]),
        ("capsh -+ -c 'rm x'", ["capsh -+ -c rm x", "[capsh] /bin/bash -c rm x", "[capsh,bash -c] rm x"]),
        ("perf --buildid-dir /tmp stat --pre 'rm x' rm y", ["perf --buildid-dir /tmp stat --pre rm x rm y", "[perf --pre] rm x",
                                                           "[perf stat] rm y"]),
        ("tmux new-session -f read-only rm x; screen -l rm y", ["tmux new-session -f read-only rm x", "[tmux new-session] rm x",
                                                               "screen -l rm y", "[screen] rm y"]),
        ("strace -E 'BASH_FUNC_ls%%=() { rm x; }' bash -c ls", ["strace -E BASH_FUNC_ls%%=() { rm x; } bash -c ls", "[BASH_FUNC_ls%%] rm x",
                                                                "[strace] bash -c ls", "[strace,bash -c] ls"]),
        ("fakeroot -- rm x; pkexec --user bob rm y; run0 -u bob", ["fakeroot -- rm x", "[fakeroot] rm x", "pkexec --user bob rm y",
                                                                 "[pkexec] rm y", "run0 -u bob", "[run0] $SHELL?"]),
        ("systemd-run --scope -p CPUQuota=5% rm x", ["systemd-run --scope -p CPUQuota=5% rm x", "[systemd-run] rm x"]),
        ("script -q -c 'rm x' /dev/null; script out", ["script -q -c rm x /dev/null", "[script -c] rm x", "script out",
                                                       "[script] $SHELL?"]),
        ("capsh --drop=x -- -c 'rm x'", ["capsh --drop=x -- -c rm x", "[capsh] /bin/bash -c rm x", "[capsh,bash -c] rm x"]),
        ("setarch x86_64 -R rm x; linux32 rm y", ["setarch x86_64 -R rm x", "[setarch] rm x", "linux32 rm y", "[linux32] rm y"]),
        ("screen -dmS s rm x; screen -ls", ["screen -dmS s rm x", "[screen] rm x", "screen -ls"]),
        ("tmux new -d -s w 'rm x'; tmux ls; tmux", ["tmux new -d -s w rm x", "[tmux new] rm x", "tmux ls", "tmux", "[tmux] $SHELL?"]),
        // An alias's static value, and one set in BASH_ALIASES, is code (used later on the line
        // through eval, where nothing expands it).
        ("alias x='rm -rf /' ll='ls -l'; eval x", ["alias x=rm -rf / ll=ls -l", "[alias] rm -rf /", "[alias] ls -l", "eval x", "[eval] x"]),
        ("BASH_ALIASES[x]='rm y'", ["[alias] rm y"]),
        // su's -s shell runs the -c text, and after `--` the words are the shell's own; xargs's
        // --replace takes a value only after `=`; both readings of an abbreviation the tool's
        // flags do not settle are decided; programs named by options; the dynamic loader;
        // commands rsync and ssh run here.
        ("su -s /tmp/x -c true; su root -- -c 'rm y'", ["su -s /tmp/x -c true", "[su -s] /tmp/x", "[su -c] true",
                                                         "su root -- -c rm y", "[su -c] rm y"]),
        ("xargs --replace rm", ["xargs --replace rm", "[xargs] rm"]),
        // With -I, static text it reads is a command a line, the line in each `{}`.
        ("xargs -I{} rm -rf {} <<< '/'", ["xargs -I{} rm -rf {}", "[xargs] rm -rf /"]),
        ("printf 'a\\n b\\n' | xargs -IX touch /d/X", ["printf a\\n b\\n", "xargs -IX touch /d/X", "[xargs] touch /d/a", "[xargs] touch /d/b"]),
        // xargs reading static text: those words (split on blanks); quotes in it, -0 or -d keep it unknown.
        ("echo / x | xargs rm -rf; xargs rm <<< 'a b'", ["echo / x", "xargs rm -rf", "[xargs] rm -rf / x", "xargs rm", "[xargs] rm a b"]),
        // printf with %s conversions: its format again for each round of arguments.
        ("printf '%s\\n' /a /b | xargs -n1 rm; printf 'x%%s' a | xargs rm", ["printf %s\\n /a /b", "xargs -n1 rm", "[xargs] rm /a /b",
                                                                             "printf x%%s a", "xargs rm", "[xargs] rm {stdin}?"]),
        ("echo \"'a b'\" | xargs rm; echo a | xargs -0 rm", ["echo 'a b'", "xargs rm", "[xargs] rm {stdin}?", "echo a", "xargs -0 rm",
                                                       "[xargs] rm {stdin}?"]),
        ("nsenter -t 1 --wd rm", ["nsenter -t 1 --wd rm", "[nsenter] rm", "[nsenter] $SHELL?"]),
        ("fakeroot -f /tmp/x true", ["fakeroot -f /tmp/x true", "[fakeroot option] /tmp/x", "[fakeroot] true"]),
        ("/lib64/ld-linux-x86-64.so.2 /tmp/x a; logsave /dev/null rm y", ["/lib64/ld-linux-x86-64.so.2 /tmp/x a",
            "[ld-linux-x86-64.so.2] /tmp/x a", "logsave /dev/null rm y", "[logsave] rm y"]),
        ("start-stop-daemon -S -x /tmp/x -- a", ["start-stop-daemon -S -x /tmp/x -- a", "[start-stop-daemon] /tmp/x a"]),
        ("rsync -e 'rm -x' a h:b; ssh -o ProxyCommand='rm %h' h", ["rsync -e rm -x a h:b", "[rsync -e] rm -x",
            "ssh -o ProxyCommand=rm %h h", "[ssh -o proxycommand] rm %h"]),
        // (review) flags that begin a value option's name; env's options stop at -S; rsync's own
        // spellings of -e; ssh -o in a cluster, with blanks; start-stop-daemon's arguments.
        ("sudo --login rm x", ["sudo --login rm x", "[sudo] rm x"]),
        ("env -S rm -rf y", ["env -S rm -rf y", "[env] env rm -rf y", "[env,env] rm -rf y"]),
        ("rsync -avz --partial -e 'rm -x' a h:b", ["rsync -avz --partial -e rm -x a h:b", "[rsync -e] rm -x"]),
        ("ssh -vo 'ProxyCommand =rm y' h", ["ssh -vo ProxyCommand =rm y h", "[ssh -o proxycommand] rm y"]),
        ("perf stat --json rm x; perf trace -s rm y", ["perf stat --json rm x", "[perf stat] rm x", "perf trace -s rm y", "[perf trace] rm y"]),
        ("env --block-signal rm x; sudo -h rm y", ["env --block-signal rm x", "[env] rm x", "sudo -h rm y", "[sudo] rm y"]),
        // Shell commands tools run out of their own languages and options: awk's system() and
        // pipes (a `|` inside a regular expression is none), sed's `e`, tar's command options
        // (old-style clusters too), gdb's shell, git's `!` aliases, command settings and
        // subcommands, zip's test command.
        ("awk 'BEGIN{system(\"rm -rf /\")}'", ["awk BEGIN{system(\"rm -rf /\")}", "[awk] rm -rf /"]),
        ("awk '/a|b/ {print $1 | \"sort -r\"; \"date\" | getline d}' f", ["awk /a|b/ {print $1 | \"sort -r\"; \"date\" | getline d} f",
                                                                            "[awk] sort -r", "[awk] date"]),
        ("awk 'BEGIN { while ((\"ls\" | getline l) > 0) print l }'", ["awk BEGIN { while ((\"ls\" | getline l) > 0) print l }", "[awk] ls"]),
        ("gawk -F, -e 'BEGIN{system(\"rm x\")}' f; awk -f prog.awk f", ["gawk -F, -e BEGIN{system(\"rm x\")} f", "[awk] rm x",
                                                                        "awk -f prog.awk f"]),
        ("sed -n '1e rm -rf /' f; sed -e 's/a/b/g;p' -e '/x/d' f", ["sed -n 1e rm -rf / f", "[sed e] rm -rf /", "sed -e s/a/b/g;p -e /x/d f"]),
        ("sed --sandbox '1e rm x' f; sed 'y/e/f/;s|e|x|w out' f", ["sed --sandbox 1e rm x f", "sed y/e/f/;s|e|x|w out f"]),
        // Options after the operands (GNU getopt permutes them), an abbreviation, -i's suffix.
        ("sed f -e '1e rm y'; sed --expr='1e rm z' -ibak f", ["sed f -e 1e rm y", "[sed e] rm y", "sed --expr=1e rm z -ibak f", "[sed e] rm z"]),
        ("tar -cf x.tar --to-command='rm -rf /' d; tar xIf 'rm z' x.tar", ["tar -cf x.tar --to-command=rm -rf / d", "[tar --to-command] rm -rf /",
                                                                         "tar xIf rm z x.tar", "[tar -I] rm z"]),
        ("tar --checkpoint=1 --checkpoint-action=exec='rm y' -cf x.tar d; tar czf a.tgz d", [
            "tar --checkpoint=1 --checkpoint-action=exec=rm y -cf x.tar d", "[tar --checkpoint-action] rm y", "tar czf a.tgz d"]),
        ("gdb -ex '!rm a' --eval-command='shell rm b' -batch", ["gdb -ex !rm a --eval-command=shell rm b -batch", "[gdb shell] rm a",
                                                               "[gdb shell] rm b"]),
        ("git -c alias.x='!rm -rf /' x; git -c core.pager='rm p' log", ["git -c alias.x=!rm -rf / x", "[git -c alias.x] rm -rf /",
                                                                       "git -c core.pager=rm p log", "[git -c core.pager] rm p"]),
        // (round 11: abbreviated transport options, grep's pager)
        ("git ls-remote --upload-pa='rm u' .; git grep -O'rm v' a; git grep --open-files='rm w' a; git log --ext-diff", [
            "git ls-remote --upload-pa=rm u .", "[git --upload-pack] rm u", "git grep -Orm v a", "[git grep -O] rm v",
            "git grep --open-files=rm w a", "[git grep -O] rm w", "git log --ext-diff"]),
        // Options of coreutils and diffutils that name a command, however abbreviated.
        ("split --fil='rm x' f; install -s --strip-program=rm y z; sdiff --diff-program rm a b; install --strip a b", [
            "split --fil=rm x f", "[split --filter] rm x", "install -s --strip-program=rm y z", "[install --strip-program] rm",
            "sdiff --diff-program rm a b", "[sdiff --diff-program] rm", "install --strip a b"]),
        ("gcc -wrapper rm,-f -c a.c; asciinema rec -c 'rm x' f.cast; asciinema rec --command='rm y'", [
            "gcc -wrapper rm,-f -c a.c", "[gcc -wrapper] rm -f", "asciinema rec -c rm x f.cast", "[asciinema rec -c] rm x",
            "asciinema rec --command=rm y", "[asciinema rec -c] rm y"]),
        ("git rebase -x 'rm r' HEAD~3; git bisect run rm s; git submodule foreach 'rm t'; git log", [
            "git rebase -x rm r HEAD~3", "[git rebase --exec] rm r", "git bisect run rm s", "[git bisect run] rm s",
            "git submodule foreach rm t", "[git submodule foreach] rm t", "git log"]),
        ("zip -T -TT 'rm u' a.zip f", ["zip -T -TT rm u a.zip f", "[zip -TT] rm u"]),
        // git's transports run a program: for a local or ext:: remote, here.
        ("git ls-remote --upload-pack='rm a;' /tmp; git clone -u 'rm b' /r d; git push --receive-pack rm\\ c o; git ls-remote 'ext::rm d'",
         ["git ls-remote --upload-pack=rm a; /tmp", "[git --upload-pack] rm a", "git clone -u rm b /r d", "[git clone -u] rm b",
          "git push --receive-pack rm c o", "[git --receive-pack] rm c", "git ls-remote ext::rm d", "[git ext::] rm d"]),
        ("git archive --remote=/r --exec='rm e' HEAD; git add -u; git commit -u", ["git archive --remote=/r --exec=rm e HEAD", "[git --exec] rm e",
                                                                                   "git add -u", "git commit -u"]),
        // less's first commands: `!` and `|` run shell commands; `+G` and `+/x` are none.
        ("less +'!rm i' f; less '++|arm j' f; less +G +/x f", ["less +!rm i f", "[less !] rm i", "less ++|arm j f", "[less |] rm j", "less +G +/x f"]),
        // scp and sftp hand -o to the ssh they start, and run -S (sftp's -D) in its place.
        ("scp -o ProxyCommand='rm f' a x:b; sftp -S 'rm g' x; sftp -D 'rm h'; scp -r -P 22 a x:b",
         ["scp -o ProxyCommand=rm f a x:b", "[ssh -o proxycommand] rm f", "sftp -S rm g x", "[sftp -S] rm g", "sftp -D rm h", "[sftp -D] rm h",
          "scp -r -P 22 a x:b"]),
        // vim's Ex commands from its command line: `!`, a range's filter, `r !`, `w !`, behind
        // `silent`, after a `|`; `+N` and `+/pattern` are no commands.
        ("vim -c '!rm a' f; vi +'%!rm b' f", ["vim -c !rm a f", "[vim !] rm a", "vi +%!rm b f", "[vim !] rm b"]),
        ("vim -c 'set nu | r !rm c' --cmd ':silent! w !rm d' +12 +/x f", ["vim -c set nu | r !rm c --cmd :silent! w !rm d +12 +/x f",
                                                                       "[vim !] rm c", "[vim !] rm d"]),
        ("vim -c 'w! out' -c '1,$s/a/b/g' f; vim -- +'!rm e'", ["vim -c w! out -c 1,$s/a/b/g f", "vim -- +!rm e"]),
        // GNU parallel: its command line once per argument, `{}` forms replaced; each argument
        // run as a command when there is none; the command alone when the arguments are unknown.
        ("parallel rm -rf {} ::: /a /b; parallel -j2 gzip ::: f", ["parallel rm -rf {} ::: /a /b", "[parallel] rm -rf /a",
            "[parallel] rm -rf /b", "parallel -j2 gzip ::: f", "[parallel] gzip f"]),
        ("parallel ::: 'rm c' ls; ls | parallel --colsep , 'rm {1}'", ["parallel ::: rm c ls", "[parallel] rm c", "[parallel] ls",
            "ls", "parallel --colsep , rm {1}", "[parallel] rm {1}"]),
        // Programs run through the variables that name an editor, a pager, a remote shell …
        ("EDITOR='rm -rf ~' git commit; export PAGER='rm p'", ["git commit", "[EDITOR] rm -rf ~?", "export PAGER=rm p", "[PAGER] rm p"]),
        ("LESSOPEN='|rm l %s' less f; env GIT_SSH_COMMAND='rm g' git fetch", ["less f", "[LESSOPEN] rm l %s",
            "env GIT_SSH_COMMAND=rm g git fetch", "[GIT_SSH_COMMAND] rm g", "[env] git fetch"]),
        ("sudo env nice timeout 5 xargs rm", ["sudo env nice timeout 5 xargs rm", "[sudo] env nice timeout 5 xargs rm",
            "[sudo,env] nice timeout 5 xargs rm", "[sudo,env,nice] timeout 5 xargs rm", "[sudo,env,nice,timeout] xargs rm",
            "[sudo,env,nice,timeout,xargs] rm {stdin}?"]),
    ]

    /// Each wrapper yields the command it runs, right after it, with the wrapper chain.
    @Test(arguments: table)
    func wrappers(line: String, expected: [String]) {
        #expect(Rendering.commands(line) == expected)
    }

    /// `cd`, `pushd` and `popd` (also through `builtin`, `command`, `sh -c` and `eval`), and
    /// `env -C` and `sudo -D`, add the places the commands after them may run in; where the line
    /// started stays one (the `cd` may not take effect), so a decoy `cd` adds, never replaces.
    @Test(arguments: [
        ("cd /var; cd lib; rm x", [[], ["/var"], ["/var", "lib", "/var/lib"]]),
        ("cd; cd -P -- etc && rm x", [[], ["~"], ["!", "etc", "~/etc"]]),
        ("cd /a; (cd /b); rm x", [[], ["/a"], ["/a", "/b"]]),
        ("builtin cd /a; rm x", [[], [], ["/a"]]),
        ("pushd -n /a; pushd /b; popd; rm x", [[], [], ["/b"], ["/b", "?"]]),
        ("env -C /a rm x; sudo -D b rm y", [[], ["/a"], [], ["b"]]),
        ("cd /a; sh -c 'cd b; rm x'", [[], ["/a"], ["/a"], ["/a", "b", "/a/b"]]),
        ("eval cd /a; rm x", [[], [], ["/a"]]),
        ("cd \"$d\"; cd ''; rm x", [[], ["?"], ["?"]]),
        ("cd() { :; }; cd /a; rm x", [[], [], ["?"]]),
        // (after `cd X &&`, only where it led: marked `!`)
        ("cd /a && cd b && rm x; ls", [[], ["!", "/a"], ["!", "/a/b"], ["/a", "b", "/a/b"]]),
    ] as [(String, [[String]])])
    func directories(line: String, expected: [[String]]) {
        let found = ShellAnalyzer.analyze(line).commands.map { command in
            (command.directory.excludesLineStart ? ["!"] : []) + command.directory.paths + (command.directory.includesUnknown ? ["?"] : [])
        }
        #expect(found == expected)
    }

    /// An exec request's stdin is the connection: a shell or interpreter reading its code from
    /// the stdin it inherits runs what the client sends. One given its script, or fed on the
    /// line, is what it was.
    @Test(arguments: [("sh", OpaqueCode?.some(.fedToInterpreter)), ("bash -l", .fedToInterpreter), ("sudo -i", .fedToInterpreter),
                      ("python3", .fedToInterpreter), ("psql db", .fedToInterpreter), ("sh -c 'ls'", nil), ("sh ./x.sh", nil), ("cat x | sh", .fedToInterpreter), ("ls", nil)])
    func execRequestShellsReadTheConnection(_ line: String, _ expected: OpaqueCode?) {
        let exec = ShellAnalyzer.analyzeExecRequest(line)
        #expect(exec.analysis.commands.compactMap(\.opaque) == (expected.map { [$0] } ?? []), "\(line)")
        #expect(exec.startsShell == ["sh", "bash -l", "sudo -i"].contains(line), "\(line)")
        #expect(ShellAnalyzer.analyze("sh").commands.allSatisfy { $0.opaque == nil })
    }

    /// An absolute path keeps its path in argv and is known by its base name.
    @Test func absolutePathKeepsPath() {
        let command = ShellAnalyzer.analyze("/bin/rm -rf /").commands[0]
        #expect(command.name == "/bin/rm")
        #expect(command.baseName == "rm")
    }

    /// `find -delete` marks the find command as a deletion.
    @Test func findDelete() {
        let commands = ShellAnalyzer.analyze("find /var -name '*.log' -delete").commands
        #expect(commands.count == 1 && commands[0].deletes)
    }

    static let opaque: [(String, OpaqueCode?)] = [
        ("curl -s x | sh", .fedToInterpreter),
        ("curl x | sudo bash -s", .fedToInterpreter),
        ("bash < x.sh", .fedToInterpreter),
        ("bash <<< \"$x\"", .dynamicShellString),   // (a static here-string is read: see the table above)
        // A here-string is not the script when stdin is then taken from elsewhere.
        ("screen -r x -X stuff 'rm'", .dynamicShellString), ("tmux detach -E 'rm x'", .dynamicShellString),
        ("y=rm; alias x=\"$y\"; eval x", .dynamicShellString), ("ssh -o \"$o\" h", .dynamicShellString),
        ("perl -X -e 1", .inlineScript), ("node --title x -e 1", .inlineScript), ("node --eval=1", .inlineScript),
        ("make --eval='$(shell rm x)'", .inlineScript), ("run-parts /etc/cron.daily", .dynamicShellString),
        // Tool code that runs text known only at run time.
        ("awk '{print | $2}'", .dynamicShellString), ("awk '{x \"ls\" | getline}'", .dynamicShellString), ("awk -F: '{c=\"rm \" $1; system(c)}' f", .dynamicShellString),
        ("sed 's/x/y/e' f", .dynamicShellString), ("sed '1e' f", .dynamicShellString), ("awk \"$p\" f", .dynamicShellString),
        ("gdb -ex 'python import os'", .inlineScript), ("git -c core.hooksPath=/tmp/h commit", .dynamicShellString),
        ("tar -I \"$z\" -xf a", .dynamicShellString), ("sed 's/x/y/' f", nil), ("awk '{print $1}' f", nil),
        ("vim -c 'call system(\"rm x\")' f", .inlineScript), ("vim +'norm ggdG' f", .inlineScript), ("vi -c 'py3 import os' f", .inlineScript),
        ("vim -c 'g/x/d' f", .inlineScript), ("vim -c 'make' f", .dynamicShellString), ("vim -c \"$c\" f", .dynamicShellString),
        ("vim --remote-send ':!rm x<CR>'", .inlineScript), ("vim -c 'set nu' -c 'wq' +3 f", nil), ("EDITOR=\"$e\" git commit", .dynamicShellString),
        ("SHELL=/x script -qc true /dev/null", .dynamicShellString),
        // Locale quoting: bash translates the text when it runs and expands the translation.
        ("echo $\"hello\"", .dynamicShellString), ("$\"x\" f", .dynamicShellString), ("echo $\"\"", nil), ("echo \"$\"x\"\"", nil),
        ("cd /dev; sh stdin", .fedToInterpreter), ("sh /proc/self/root/dev/stdin", .fedToInterpreter),
        // A database client reads its commands from stdin, shell escapes included (psql's `\!`,
        // mysql's `system`, sqlite3's `.shell`), unless an option or operand gives them.
        ("echo '\\! id' | psql", .fedToInterpreter), ("psql db < q.sql", .fedToInterpreter), ("psql -f - < q", .fedToInterpreter),
        ("psql -Uc db < q", .fedToInterpreter), ("{ mysql db; } < q", .fedToInterpreter), ("sqlite3 x.db <<< '.shell id'", .fedToInterpreter),
        ("psql -Atc 'select 1' < q", nil), ("psql --file=q.sql < f", nil), ("mysql -e 'select 1' db < q", nil),
        ("sqlite3 x.db 'select 1' < q", nil), ("psql -U postgres db", nil),
        ("shopt -s expand_aliases\nalias s='sh -c '\ns rm", .dynamicShellString),
        // An alias's value may start with its own name, which bash does not expand again there
        // (Debian's `ls`); another alias defined before it on the line may expand.
        ("alias ls='ls --color=auto'", nil), ("alias grep='grep --color=auto' ll='ls -l'", nil), ("alias c='c '", nil),
        ("alias t=touch x='t y'", .dynamicShellString), ("alias ls='touch y'; alias ls='ls -l'", nil),
        ("bash <<< 'ls' <&3", .fedToInterpreter),
        ("BASH_ENV=/dev/stdin bash -c true <<< x", .fedToInterpreter),
        // The shell a wrapper starts is the one SHELL names, which the line may set.
        ("SHELL=/tmp/x script -q /dev/null", .dynamicShellString), ("export SHELL=/x; sudo -s", .dynamicShellString),
        // A shell reading the stdin it inherits from what is around it: a compound's
        // redirection or pipe, a wrapper's, a function's caller, an `exec <`, a coprocess.
        ("{ bash; } <<< x", .fedToInterpreter), ("echo x | (bash)", .fedToInterpreter), ("f() { sh; }", .fedToInterpreter),
        ("exec < f; bash", .fedToInterpreter), ("bash -c bash <<< x", .fedToInterpreter), ("coproc bash", .fedToInterpreter),
        ("echo x | flock f -c bash", .fedToInterpreter), ("bash", nil), ("(bash)", nil),
        ("tmux -C attach", .dynamicShellString), ("tmux run-shell -C 'neww x'", .dynamicShellString),
        ("bash <>f", .fedToInterpreter),
        // A here-document bash expands first, or cannot read to its end: what is read is
        // decided, the shell stays unresolved.
        ("bash <<X\nrm -rf $HOME\nX", .fedToInterpreter),
        ("bash <<X\nif\nX", .fedToInterpreter),
        ("python3 <<X\nimport os\nX", .fedToInterpreter),
        ("bash <(cat x)", .fedToInterpreter),
        ("python3 <(echo x)", .fedToInterpreter),
        ("python3 /dev/stdin <<< 'import os'", .fedToInterpreter),
        ("python3 - < x", .fedToInterpreter),
        ("cat x | python3", .fedToInterpreter),
        ("python3 -c 'import os'", .inlineScript),
        ("perl -ne print", .inlineScript),
        ("ruby -e 1", .inlineScript),
        ("node -e 1", .inlineScript),
        ("node --eval 1", .inlineScript),
        ("php -r 1", .inlineScript),
        ("bash -c \"$cmd\"", .dynamicShellString),
        ("eval $x", .dynamicShellString),
        ("trap \"$x\" EXIT", .dynamicShellString),
        ("bind -x \"$x\"", .dynamicShellString),
        ("ssh h \"$cmd\"", .dynamicShellString),
        // A tool's program read from its stdin or another descriptor.
        ("awk -f - x", .fedToInterpreter),
        ("sed -f /dev/stdin x", .fedToInterpreter),
        ("gawk -f <(echo x) y", .fedToInterpreter),
        ("git -c alias.x='-c alias.y=!rm\\ x y' x", .dynamicShellString), ("git -c alias.lg='log --color -n 3' lg", nil),
        ("make -f - <<< x", .fedToInterpreter),
        ("make --file=/dev/stdin", .fedToInterpreter),
        ("make --ev='all:'", .inlineScript),
        ("ex -s <<< '!rm x'", .fedToInterpreter),
        ("echo '!rm x' | vim -es", .fedToInterpreter),
        ("vim -es -u <(echo x) -c q", .fedToInterpreter),
        ("make -f build.mk all", nil), ("vim -es -c q f", nil), ("echo x | vim -", nil), ("awk -f prog.awk f", nil),
        ("cat jobs | at now", .fedToInterpreter),
        ("at now < jobs", .fedToInterpreter),
        ("bind \"$option\" '\"a\": rm x'", .dynamicShellString),
        ("PS1=\"$x\"", .dynamicShellString),
        // fc re-runs history text (edited, or in an editor); only a listing runs nothing. In bash
        // -s and `-e -` win over -l.
        // tmux commands that type into a shell, or run text through formats, hooks and bindings.
        ("tmux send-keys -t 0 'rm x' Enter", .dynamicShellString),
        ("tmux if-shell true 'run rm'", .dynamicShellString),
        ("tmux -f conf new", .dynamicShellString),
        ("screen -S s -X stuff 'rm x'", .dynamicShellString),
        // What a command name runs, changed behind the line's back.
        ("hash -p /bin/rm ls", .dynamicShellString),
        ("BASH_CMDS[ls]=/bin/rm", .dynamicShellString),
        ("BASH_ALIASES=([x]='rm -rf /')", .dynamicShellString),
        ("printf -v 'BASH_CMDS[ls]' /bin/rm", .dynamicShellString),
        ("fc -s", .dynamicShellString),
        ("fc -s 'echo '= ec", .dynamicShellString),
        ("fc -e - 3", .dynamicShellString),
        ("fc -e vi -3", .dynamicShellString),
        ("fc", .dynamicShellString),
        ("fc -ls", .dynamicShellString),
        ("fc -l -e -", .dynamicShellString),
        ("fc -l $x", .dynamicShellString),
        ("mapfile -C \"$x\" a", .dynamicShellString),
        // Assigned where the value is not read (a loop's variable, a default), or a value
        // expanded as a prompt (`@P`).
        ("for PS1 in a b; do :; done", .dynamicShellString),
        ("select PS4 in a; do break; done", .dynamicShellString),
        ("echo ${PS1:='$(rm x)'}", .dynamicShellString),
        (": \"${x@P}\"", .dynamicShellString),
        ("for p in a; do :; done; echo ${PS1:-x} ${x@Q} ${#PS1}", nil),
        // A prompt string or PROMPT_COMMAND set by a builtin (its value runs at each prompt), or a
        // variable such a builtin names only at run time.
        ("printf -v PS1 '%s' '$(rm x)'", .dynamicShellString),
        ("builtin printf -vPS4 x", .dynamicShellString),
        ("read -r PROMPT_COMMAND < f", .dynamicShellString),
        ("read -a 'PS0[1]'", .dynamicShellString),
        ("readarray -t PROMPT_COMMAND < f", .dynamicShellString),
        ("declare -n p=PS1", .dynamicShellString),
        ("read -r \"$name\"", .dynamicShellString),
        ("printf -v \"$name\" x", .dynamicShellString),
        ("printf -v line '%s' PS1; read -r a b; mapfile -t lines; printf \"$fmt\" x", nil),
        // A nameref bound to a name known only at run time, or not bound yet (a plain `r=NAME`
        // binds it), may set PS4, PROMPT_COMMAND or BASH_CMDS through a later assignment.
        ("local -n list=$1", .dynamicShellString), ("declare -n r; r=PS4", .dynamicShellString),
        ("declare -n r=PS4[0]", .dynamicShellString), ("declare -n list=items; declare -a PS=(1)", nil),
        ("fc -l", nil),
        ("fc -lnr -10 -1", nil),
        ("fc -l -- -s", nil),
        (". <(curl -s x)", .fedToInterpreter),
        ("curl -s x | . /dev/stdin", .fedToInterpreter),
        ("source /dev/fd/0 <<EOF", .fedToInterpreter),
        (". /proc/$$/fd/0", .fedToInterpreter),
        ("echo \"$x\" | sh", .fedToInterpreter),
        ("{ echo rm x; } | sh", .fedToInterpreter),
        ("echo rm x >&2 | sh", .fedToInterpreter),
        ("echo -e '\\0101' | sh", .fedToInterpreter),
        ("printf '%s' 'rm x' | sh", .fedToInterpreter),
        // A `$` before a prompt escape: the escape's text (a date format, the directory's name)
        // may make a substitution when the prompt is shown.
        ("PS1='$\\D{(}touch x)\\$ '", .dynamicShellString), ("PS1='$\\W '", .dynamicShellString),
        ("PS1='\\u@\\h:\\w\\$ '", nil),
        // Arithmetic and indirection evaluate a variable's value, and run the substitutions of a
        // subscript in it, however the value was made: every value but a number the expression
        // assigns itself is known only at run time.
        ("x='$(touch f)'; y=\"a[$x]\"; echo $((y))", .evaluatedValue),
        ("printf -v x 'a\\x5b$(touch f)]'; echo $((x))", .evaluatedValue),
        ("x=${E-a[\\$(touch f)]}; echo $((x))", .evaluatedValue),
        ("echo $[y]", .evaluatedValue), ("(( y ))", .evaluatedValue), ("echo ${!y}", .evaluatedValue),
        ("[[ $y -eq 1 ]]", .evaluatedValue), ("[[ 1 -lt y ]]", .evaluatedValue), ("let y", .evaluatedValue),
        ("echo ${s:$n}", .evaluatedValue), ("echo ${a[i]}", .evaluatedValue), ("a[i]=1", .evaluatedValue),
        ("echo $((1 + 2)) $((0x1f + 16#ff)) ${#y} ${!y[@]} ${!P*} ${s:1:2} ${s: -1} ${s:-d} $(($# + $?))", nil),
        ("git -c protocol.ext.allow=always fetch r", .dynamicShellString), ("git -c url.ext::sh.insteadOf=r fetch r", .dynamicShellString),
        ("git -c protocol.file.allow=always submodule update", nil),
        ("(( i = 0, i + 1 ))", nil), ("echo $(( ${#y} + 1 ))", nil), ("[[ -v y ]]", nil), ("[[ $y == 1 ]]", nil),
        (". ./env.sh", nil),
        ("bash script.sh", nil),
        ("python3 script.py", nil),
        ("cat x | grep y", nil),
    ]

    /// Code the parser cannot see is flagged on the command that runs it.
    /// The packed-name table holds any number of names (it once had 128 slots, and a 129th name
    /// made building it spin), and finds exactly those.
    @Test func packedNameTableGrowsWithItsNames() {
        let names = (0..<300).map { "name\($0)" }
        let table = PackedName.table(names)
        #expect(table.count >= 600)
        #expect(names.allSatisfy { PackedName($0).isIn(table) })
        #expect(!PackedName("name300").isIn(table) && !PackedName("other").isIn(table))
        #expect(CommandUnwrapper.mayDerive(path: "/usr/bin/awk") && CommandUnwrapper.mayDerive(path: "sudo") && !CommandUnwrapper.mayDerive(path: "ls"))
    }

    @Test(arguments: opaque)
    func opaqueCode(line: String, expected: OpaqueCode?) {
        let flagged = ShellAnalyzer.analyze(line).commands.compactMap(\.opaque)
        #expect(flagged == (expected.map { [$0] } ?? []))
    }

    /// Readings of abbreviated options do not multiply through chains of wrappers and eval.
    @Test func abbreviationReadingsStayLinear() {
        let line = String(repeating: String(repeating: "nice --adj nice ", count: 12) + "eval ", count: 3) + "ls"
        #expect(ShellAnalyzer.analyze(line).commands.count < 400)
    }

    /// Nested shell strings are parsed only to a limit, then flagged.
    @Test func shellStringDepthLimit() {
        var line = "rm x"
        for _ in 0..<8 { line = "sh -c " + LineAnalysisJSONTests.shellQuote(line) }
        let commands = ShellAnalyzer.analyze(line).commands
        #expect(commands.contains { $0.opaque == .nestingLimit })
        #expect(!commands.contains { $0.name == "rm" })
    }

    /// Derived commands carry the wrapper's redirections.
    @Test func derivedKeepsRedirections() {
        let commands = ShellAnalyzer.analyze("sudo tee /etc/x > /dev/null").commands
        #expect(commands[1].redirects.map(\.target.text) == ["/dev/null"])
    }
}
