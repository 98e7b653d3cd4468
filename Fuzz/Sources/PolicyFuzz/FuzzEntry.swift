import ConfigReader
#if canImport(Glibc)
import Glibc
#endif
import FuzzSupport
import Policy
import PolicyProbe

/// libFuzzer entry point for the policy file: the input, as UTF-8 text, is the YAML of a policy
/// (`roles`, `guards`, `approvers`), read as `bastion policy check` reads one:
/// `PolicyConfig.parse(ConfigNode.parse(text, file:), targets:)` with the targets of
/// etc/bastion.yaml, and, when that fails, as a policy file alone (`targetsKnown: false`).
/// A thrown `ConfigError`/`ConfigErrors` is fine (every error positioned in the file, at least
/// one); a trap or a failed precondition is a bug. A policy that loads is handed to
/// `PolicyProbe.exercise`: fixed lines and transfer requests decided by `PolicyEngine` for a
/// few people on each target (see Sources/PolicyProbe).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPolicy(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let text = String(decoding: fuzzBytes(data, count), as: UTF8.self)
    let node: ConfigNode
    do { node = try ConfigNode.parse(text, file: "policy.yaml") } catch let error as ConfigError {
        if verbose { print(error) }
        check(error)
        return 0
    } catch {
        preconditionFailure("ConfigNode.parse threw \(error), not a ConfigError")
    }
    let known = PolicyProbe.targets.prefix(2).map { $0 }
    do {
        let (config, warnings) = try PolicyConfig.parse(node, targets: known)
        warnings.forEach { precondition($0.isWarning, "a warning that is an error: \($0)"); check($0) }
        PolicyProbe.exercise(config)
        if verbose { print("loaded with targets: \(config.roles.count) roles, \(warnings.count) warnings") }
        return 0
    } catch {
        if verbose { print(error) }
        precondition(!error.errors.isEmpty, "PolicyConfig.parse threw no error")
        error.errors.forEach(check)
        precondition(error.errors.contains { !$0.isWarning }, "PolicyConfig.parse threw only warnings")
    }
    do {
        let (config, _) = try PolicyConfig.parse(node, targets: [], targetsKnown: false)
        PolicyProbe.exercise(config)
        if verbose { print("loaded alone: \(config.roles.count) roles") }
    } catch {
        if verbose { print(error) }
        precondition(!error.errors.isEmpty, "PolicyConfig.parse threw no error")
        error.errors.forEach(check)
    }
    return 0
}

/// POLICY_FUZZ_VERBOSE=1: print what each input loads to, or its errors (to check seeds).
nonisolated(unsafe) private var verbose = false

private func check(_ error: ConfigError) {
    precondition(error.file == "policy.yaml" && error.line >= 0 && error.column >= 0, "an error at \(error.file):\(error.line):\(error.column)")
    precondition(!error.message.isEmpty, "an error without a message")
    _ = error.description
}

/// SwiftPM links an executable's entry point under this name (`main` is an alias of it).
@_cdecl("PolicyFuzz_main")
public func policyFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    verbose = getenv("POLICY_FUZZ_VERBOSE") != nil
    return runFuzzer(argc, argv) { data, size in fuzzPolicy(data, size) }
}
