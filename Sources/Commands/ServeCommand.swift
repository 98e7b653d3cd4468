import ArgumentParser
import Bastion

/// `bastion serve`: run the SSH server.
public struct ServeCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the bastion SSH server.")

    @OptionGroup public var options: ConfigOptions

    public init() {}

    public func run() throws {
        let config = try options.load(printWarnings: true)
        BastionLogHandler.bootstrap()
        do {
            let server = try BastionServer(config: config)
            try server.run()
        } catch let error as BastionError {
            throw fail(error.description, code: 1)
        }
    }
}
