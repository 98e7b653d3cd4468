import ArgumentParser
import ConfigReader
import Configuration
import Foundation
import SystemFiles

/// `--config`, shared by every command that reads the bastion's configuration.
public struct ConfigOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "The bastion configuration file.")
    public var config: String = ProcessInfo.processInfo.environment["BASTION_CONFIG"] ?? "etc/bastion.yaml"

    public init() {}

    /// Loads the configuration; on any problem prints each with file:line:column (to `output`'s
    /// standard error) and exits 2.
    public func load(printWarnings: Bool = false, output: OutputStreams = .standard) throws -> BastionConfig {
        do {
            let loaded = try BastionConfig.load(file: config)
            if printWarnings {
                for warning in loaded.warnings { output.printError("\(warning)") }
            }
            return loaded
        } catch let errors as ConfigErrors {
            output.printError("\(errors)")
            throw ExitCode(2)
        } catch let error as ConfigError {
            output.printError("\(error)")
            throw ExitCode(2)
        }
    }
}

/// Prints `bastion: MESSAGE` to standard error and returns the exit code to throw.
func fail(_ message: String, code: Int32 = 1, output: OutputStreams = .standard) -> ExitCode {
    output.printError("bastion: \(message)")
    return ExitCode(code)
}
