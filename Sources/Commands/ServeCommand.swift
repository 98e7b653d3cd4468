import ArgumentParser
import Bastion
import SystemFiles

/// `bastion serve`: run the SSH server.
public struct ServeCommand: RedirectableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the bastion SSH server.")

    @OptionGroup public var options: ConfigOptions

    public init() {}

    /// Loads the configuration (exit 2 when it does not load) and serves until stopped.
    public func run(output: OutputStreams) throws {
        let config = try options.load(printWarnings: true, output: output)
        BastionLogHandler.bootstrap()
        do {
            let server = try BastionServer(config: config)
            try server.run()
        } catch let error as BastionError {
            throw fail(error.description, code: 1, output: output)
        }
    }
}
