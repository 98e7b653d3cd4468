import ArgumentParser
import Bastion
import SystemFiles

/// `bastion vault`: the encrypted store of keys the bastion uses to log in to targets.
public struct VaultCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "vault", abstract: "Manage the keys the bastion uses to reach targets.",
        subcommands: [Add.self, List.self, Remove.self])

    public init() {}

    static func vault(_ options: ConfigOptions, output: OutputStreams) throws -> Vault {
        let server = try options.load(output: output).server
        return Vault(directory: server.vaultDirectory, masterKeyPath: server.masterKeyPath)
    }

    /// `vault add NAME --key-file F`
    public struct Add: RedirectableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Encrypt a private key into the vault (the file itself is left for you to delete).")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "Entry name, as targets' `key:` names it.") var name: String
        @Option(name: .customLong("key-file"), help: "Unencrypted OpenSSH or PEM private key file.") var keyFile: String
        @Flag(help: "Replace an existing entry.") var replace = false
        public init() {}

        /// Encrypts the key file into the vault and prints the public half to install.
        public func run(output: OutputStreams) throws {
            do {
                let entry = try VaultCommand.vault(options, output: output).add(name: name, keyFile: keyFile, replace: replace)
                output.print("added \(entry.name) (\(entry.fingerprint)); install this on its targets' authorized_keys:")
                output.print(entry.publicKey)
            } catch let error as BastionError { throw fail(error.description, output: output) }
        }
    }

    /// `vault list`
    public struct List: RedirectableCommand {
        public static let configuration = CommandConfiguration(abstract: "List entries with their public halves.")
        @OptionGroup var options: ConfigOptions
        public init() {}

        /// Prints one line per entry: name, fingerprint, public key.
        public func run(output: OutputStreams) throws {
            do {
                for entry in try VaultCommand.vault(options, output: output).list() {
                    output.print("\(entry.name)\t\(entry.fingerprint)\t\(entry.publicKey)")
                }
            } catch let error as BastionError { throw fail(error.description, output: output) }
        }
    }

    /// `vault remove NAME`
    public struct Remove: RedirectableCommand {
        public static let configuration = CommandConfiguration(abstract: "Delete an entry.")
        @OptionGroup var options: ConfigOptions
        @Argument var name: String
        public init() {}

        /// Deletes the entry.
        public func run(output: OutputStreams) throws {
            do {
                try VaultCommand.vault(options, output: output).remove(name: name)
                output.print("removed \(name)")
            } catch let error as BastionError { throw fail(error.description, output: output) }
        }
    }
}
