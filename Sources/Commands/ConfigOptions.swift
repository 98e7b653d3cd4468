import ArgumentParser
import ConfigReader
import Configuration
import Foundation

/// `--config`, shared by every command that reads the bastion's configuration.
public struct ConfigOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "The bastion configuration file.")
    public var config: String = ProcessInfo.processInfo.environment["BASTION_CONFIG"] ?? "etc/bastion.yaml"

    public init() {}

    /// Loads the configuration; on any problem prints each with file:line:column and exits 2.
    public func load(printWarnings: Bool = false) throws -> BastionConfig {
        do {
            let loaded = try BastionConfig.load(file: config)
            if printWarnings {
                for warning in loaded.warnings { FileHandle.standardError.write(Data("\(warning)\n".utf8)) }
            }
            return loaded
        } catch let errors as ConfigErrors {
            FileHandle.standardError.write(Data("\(errors)\n".utf8))
            throw ExitCode(2)
        } catch let error as ConfigError {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}

/// Prints to standard error and exits with `code`.
func fail(_ message: String, code: Int32 = 1) -> ExitCode {
    FileHandle.standardError.write(Data("bastion: \(message)\n".utf8))
    return ExitCode(code)
}
