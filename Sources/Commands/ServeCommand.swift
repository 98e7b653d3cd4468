import ArgumentParser
import Foundation
import Bastion
import SystemFiles

/// `bastion serve`: run the SSH server.
public struct ServeCommand: RedirectableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the bastion SSH server.")

    @OptionGroup public var options: ConfigOptions

    /// Run even as root (the bastion needs no privilege: run it as its own user, see
    /// etc/bastion.service).
    @Flag(help: "Run even as root (not recommended: see etc/bastion.service for a dedicated user).")
    public var allowRoot = false

    /// How the log is written on standard error.
    @Option(help: "Log lines as text or json (one object per line, for journald and log collectors).")
    public var logFormat: String = "text"

    public init() {}

    /// Why the server will not start for this user, if it will not: root, unless allowed.
    public static func rootRefusal(effectiveUser: uid_t, allowRoot: Bool) -> String? {
        guard effectiveUser == 0, !allowRoot else { return nil }
        return "refusing to run as root: the bastion needs no privilege (run it as its own user, e.g. with etc/bastion.service, or pass --allow-root)"
    }

    /// Loads the configuration (exit 2 when it does not load) and serves until stopped.
    public func run(output: OutputStreams) throws {
        guard let format = BastionLogHandler.Format(rawValue: logFormat) else {
            throw fail("--log-format is text or json, not '\(logFormat)'", code: 2, output: output)
        }
        let config = try options.load(printWarnings: true, output: output)
        if let refusal = Self.rootRefusal(effectiveUser: geteuid(), allowRoot: allowRoot) {
            throw fail(refusal, code: 1, output: output)
        }
        BastionLogHandler.bootstrap(format: format)
        // Whatever the bastion makes is its own: the audit store's write-ahead log and shared
        // memory (which SQLite creates with the process's umask) hold audit rows too.
        umask(0o077)
        do {
            let server = try BastionServer(config: config)
            try server.run()
        } catch let error as BastionError {
            throw fail(error.description, code: 1, output: output)
        }
    }
}
