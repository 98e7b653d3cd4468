import ConfigReader
#if canImport(Glibc)
import Glibc
#endif
import Configuration
import FuzzSupport
import Policy
import PolicyProbe

/// libFuzzer entry point for the configuration loader: the input is the text of the config
/// file, loaded with `BastionConfig.load(file:)` exactly as `bastion serve` and
/// `bastion policy check --config` do. It is written to one fixed path per process,
/// `/tmp/bastion-fuzz-config-PID/etc/bastion.yaml`, next to what etc/bastion.yaml names by
/// relative path, made at start-up: `policy.yaml` (a small policy), `../demo/user_ca.pub`,
/// `../demo/target/ssh_host_ed25519_key.pub`, plus `webhook.secret` (0600) and
/// `webhook-open.secret` (0644) for `approvals.webhook.secret_file`.
///
/// The loader reads whatever files the config names, so inputs that could name a device or
/// /proc file (`/dev/zero` would never end) are skipped: any input holding "/dev", "/proc",
/// "/sys" or "/run", or holding a backslash together with "dev" or "proc" (YAML escapes and
/// line continuations can spell a path in pieces).
///
/// A thrown `ConfigErrors` (at least one error, each an error not a warning, in this file or
/// the policy file) or `ConfigError` is fine; a trap or a failed precondition is a bug. A
/// configuration that loads must have unique target names, a listen port in 1…65535, at least
/// one trusted CA and only warnings in `warnings`; its policy goes to `PolicyProbe.exercise`
/// with its own targets.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = fuzzBytes(data, count)
    if mayNameASpecialFile(input) { return 0 }
    scratch.write("etc/bastion.yaml", input)
    let file = scratch.file("etc/bastion.yaml")
    do {
        let config = try BastionConfig.load(file: file)
        precondition(Set(config.targets.map(\.name)).count == config.targets.count, "duplicate target names loaded")
        precondition((1...65535).contains(config.server.listenPort), "listen port \(config.server.listenPort)")
        precondition(!config.auth.userCAs.isEmpty, "a configuration with no trusted CA loaded")
        precondition(!config.server.ciphers.isEmpty && config.server.ciphers.allSatisfy(ServerSettings.supportedCiphers.contains))
        precondition(config.warnings.allSatisfy(\.isWarning), "an error among the warnings")
        if let webhook = config.approvals.webhook {
            precondition(webhook.secret.count >= WebhookSettings.minimumSecretLength, "a webhook secret of \(webhook.secret.count) bytes loaded")
            _ = webhook.description
        }
        for target in config.targets { _ = config.target(named: target.name) }
        PolicyProbe.exercise(config.policy, targets: config.targets.prefix(4).map { PolicyTarget(name: $0.name, labels: $0.labels) })
        if verbose { print("loaded: \(config.targets.count) targets, \(config.policy.roles.count) roles, \(config.warnings.count) warnings") }
    } catch let errors as ConfigErrors {
        if verbose { print(errors) }
        precondition(!errors.errors.isEmpty, "BastionConfig.load threw an empty ConfigErrors")
        precondition(errors.errors.contains { !$0.isWarning }, "BastionConfig.load threw only warnings: \(errors)")
        _ = errors.description
    } catch let error as ConfigError {
        if verbose { print(error) }
        precondition(!error.isWarning, "BastionConfig.load threw a warning")
        _ = error.description
    } catch {
        preconditionFailure("BastionConfig.load threw \(type(of: error)): \(error), not ConfigErrors")
    }
    return 0
}

private func mayNameASpecialFile(_ input: [UInt8]) -> Bool {
    let text = String(decoding: input, as: UTF8.self).lowercased()
    if ["/dev", "/proc", "/sys", "/run"].contains(where: text.contains) { return true }
    return text.contains("\\") && (text.contains("dev") || text.contains("proc"))
}

nonisolated(unsafe) private var scratch: ScratchDirectory!
/// CONFIG_FUZZ_VERBOSE=1: print what each input loads to, or its errors (to check seeds).
nonisolated(unsafe) private var verbose = false

/// SwiftPM links an executable's entry point under this name (`main` is an alias of it).
@_cdecl("ConfigFuzz_main")
public func configFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    verbose = getenv("CONFIG_FUZZ_VERBOSE") != nil
    scratch = ScratchDirectory("config")
    for directory in ["etc", "demo", "demo/target"] { scratch.makeDirectory(directory) }
    let ca = fixedEd25519Key("bastion fuzz: user CA").publicKey
    scratch.write("demo/user_ca.pub", "# the user CA\n" + ca.authorizedKeysLine + " user-ca\n", mode: 0o644)
    let host = fixedEd25519Key("bastion fuzz: target host key").publicKey
    scratch.write("demo/target/ssh_host_ed25519_key.pub", host.authorizedKeysLine + " root@web1\n", mode: 0o644)
    scratch.write("etc/webhook.secret", "0123456789abcdef0123456789abcdef\n", mode: 0o600)
    scratch.write("etc/webhook-open.secret", "0123456789abcdef0123456789abcdef\n", mode: 0o644)
    scratch.write("etc/policy.yaml", """
        approvers:
          groups: [sre-approvers]
          timeout: 10m
        roles:
          - name: engineer
            groups: [engineering]
            targets: [web1]
            capabilities: [shell, exec, transfer]
            mode: guard
            guards: [destructive]
            transfers:
              - id: no-ssh-keys
                action: deny
                paths: ["**/.ssh/**"]
                message: ssh keys are not moved through the bastion
            rules:
              - id: restart-needs-approval
                action: escalate
                command: systemctl
                args: [restart, stop]
                message: restarting a service needs approval
          - name: dba
            groups: [dba]
            targets: [{labels: {env: demo, tier: db}}]
            capabilities: [exec]
            mode: strict
            rules:
              - id: pg-status
                action: allow
                command: [pg_isready, pg_lsclusters]

        """, mode: 0o644)
    return runFuzzer(argc, argv) { data, size in fuzzConfig(data, size) }
}
