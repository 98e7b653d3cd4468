import ArgumentParser
import Bastion
import Configuration
import Foundation
import SystemFiles

/// `bastion reload`: check the configuration, then have the running server read it again
/// (SIGHUP to the process in `server.pid_file`). A configuration with errors is reported and
/// never sent.
public struct ReloadCommand: RedirectableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "reload", abstract: "Check the configuration and make the running server read it again.")

    @OptionGroup public var options: ConfigOptions

    public init() {}

    public func run(output: OutputStreams) throws {
        let config = try options.load(printWarnings: true, output: output)
        let path = config.server.pidFilePath
        // (Only a pid file a running server holds locked names it: one a killed server left may
        // name a process that has its number now.)
        guard let pid = BastionServer.servingPID(pidFile: path) else {
            throw fail("no running server found: no server holds \(path) (is it running with this configuration?)", output: output)
        }
        guard kill(pid, SIGHUP) == 0 else {
            throw fail("cannot signal the server (pid \(pid) from \(path)): \(String(cString: strerror(errno)))", output: output)
        }
        output.print("configuration checked; the server (pid \(pid)) reads it again — see its log or `bastion audit events --kind config_reloaded`")
    }
}
