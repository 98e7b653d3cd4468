/// Commands run inside a container: `docker exec web rm -rf /srv` runs `rm -rf /srv` there, and
/// is decided as that command run here is (inside, paths and the directory are the container's:
/// the directory is unknown).
extension CommandUnwrapper {
    /// The container tools whose `exec` runs a command inside a container.
    static let containerToolNames: Set<String> = ["docker", "podman", "nerdctl", "docker-compose", "podman-compose", "crictl",
                                                   "kubectl", "oc", "lxc", "incus"]

    /// Where the command a container tool runs inside a container starts in `argv` (argv[0] is
    /// the tool), read as the tool reads its arguments:
    /// - `docker`/`podman`/`nerdctl` `[OPTIONS] [container] exec [OPTIONS] CONTAINER COMMAND…`
    ///   (podman's `--latest` names no container), and their `compose [OPTIONS] exec [OPTIONS]
    ///   SERVICE COMMAND…`, as `docker-compose` has it;
    /// - `crictl [OPTIONS] exec [OPTIONS] CONTAINER COMMAND…`;
    /// - `kubectl`/`oc`/`lxc`/`incus` `… exec … -- COMMAND…`.
    ///
    /// Several starts where a word known only at run time comes before the command (each later
    /// word may then start it, as for ssh's remote command); none where it runs none.
    static func containerCommandStarts(tool: String, _ argv: [ShellWord]) -> [Int] {
        switch tool {
        case "kubectl", "oc", "lxc", "incus":
            guard let exec = argv.indices.dropFirst().first(where: { !argv[$0].isDynamic && argv[$0].text == "exec" }),
                  let dashes = argv[exec...].firstIndex(where: { !$0.isDynamic && $0.text == "--" }), dashes + 1 < argv.count else { return [] }
            return [dashes + 1]
        case "crictl":
            return commandAfterExec(argv, from: 1, global: crictlOptions, exec: crictlExecOptions)
        case "docker-compose", "podman-compose":
            return commandAfterExec(argv, from: 1, global: composeOptions, exec: composeExecOptions)
        default:
            var global = tool == "podman" ? podmanOptions : tool == "nerdctl" ? nerdctlOptions : dockerOptions
            var i = global.scan(argv, from: 1)
            guard i < argv.count else { return [] }
            if argv[i].isDynamic { return Array((i + 1)..<argv.count) }
            switch argv[i].text {
            case "compose": return commandAfterExec(argv, from: i + 1, global: composeOptions, exec: composeExecOptions)
            case "container": i += 1
            default: break
            }
            return commandAfterExec(argv, from: i, global: OptionScanner(), exec: tool == "podman" ? podmanExecOptions : dockerExecOptions,
                                    withoutContainer: tool == "podman" ? ["l", "latest"] : [])
        }
    }

    /// The command of `[GLOBAL OPTIONS] exec [EXEC OPTIONS] CONTAINER COMMAND…` from `start`
    /// (no CONTAINER with one of the `withoutContainer` options).
    private static func commandAfterExec(_ argv: [ShellWord], from start: Int, global: OptionScanner, exec: OptionScanner,
                                         withoutContainer: Set<String> = []) -> [Int] {
        var global = global, exec = exec
        let subcommand = global.scan(argv, from: start)
        guard subcommand < argv.count else { return [] }
        if argv[subcommand].isDynamic { return Array((subcommand + 1)..<argv.count) }
        guard argv[subcommand].text == "exec" else { return [] }
        let container = exec.scan(argv, from: subcommand + 1)
        guard container < argv.count else { return [] }
        // (A word known only at run time there may be the container, or options and their values.)
        if argv[container].isDynamic { return Array((container + 1)..<argv.count) }
        let command = exec.seen.contains { withoutContainer.contains($0.name) } ? container : container + 1
        return command < argv.count ? [command] : []
    }

    static let dockerOptions = OptionScanner(shortWithValue: Set("cHl".utf8), longWithValue: [
        "config", "context", "host", "log-level", "tlscacert", "tlscert", "tlskey"])
    static let podmanOptions = OptionScanner(shortWithValue: Set("c".utf8), longWithValue: [
        "cdi-spec-dir", "cgroup-manager", "config", "conmon", "connection", "events-backend", "hooks-dir", "identity", "imagestore",
        "log-level", "module", "network-cmd-path", "network-config-dir", "out", "root", "runroot", "runtime", "runtime-flag", "ssh",
        "storage-driver", "storage-opt", "tmpdir", "url", "volumepath"])
    static let nerdctlOptions = OptionScanner(shortWithValue: Set("an".utf8), longWithValue: [
        "address", "namespace", "snapshotter", "storage-driver", "cni-path", "cni-netconfpath", "data-root", "cgroup-manager",
        "hosts-dir", "host-gateway-ip", "bridge-ip", "kube-hide-dupe", "global-dns", "global-dns-opts", "global-dns-search"])
    static let dockerExecOptions = OptionScanner(shortWithValue: Set("euw".utf8), longWithValue: [
        "detach-keys", "env", "env-file", "user", "workdir"])
    static let podmanExecOptions = OptionScanner(shortWithValue: Set("euw".utf8), longWithValue: [
        "detach-keys", "env", "env-file", "user", "workdir", "preserve-fds", "preserve-fd", "cidfile"])
    static let composeOptions = OptionScanner(shortWithValue: Set("fp".utf8), longWithValue: [
        "file", "project-name", "profile", "env-file", "project-directory", "ansi", "parallel", "progress"])
    static let composeExecOptions = OptionScanner(shortWithValue: Set("euw".utf8), longWithValue: ["env", "index", "user", "workdir"])
    static let crictlOptions = OptionScanner(shortWithValue: Set("citr".utf8), longWithValue: [
        "config", "image-endpoint", "timeout", "runtime-endpoint"])
    static let crictlExecOptions = OptionScanner(shortWithValue: Set("e".utf8), longWithValue: ["timeout", "env"])
}
