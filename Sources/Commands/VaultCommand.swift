import ArgumentParser
import Bastion
import Foundation

/// `bastion vault`: the encrypted store of keys the bastion uses to log in to targets.
public struct VaultCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "vault", abstract: "Manage the keys the bastion uses to reach targets.",
        subcommands: [Add.self, List.self, Remove.self])

    public init() {}

    static func vault(_ options: ConfigOptions) throws -> Vault {
        let server = try options.load().server
        return Vault(directory: server.vaultDirectory, masterKeyPath: server.masterKeyPath)
    }

    /// `vault add NAME --key-file F`
    public struct Add: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Encrypt a private key into the vault (the file itself is left for you to delete).")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "Entry name, as targets' `key:` names it.") var name: String
        @Option(name: .customLong("key-file"), help: "Unencrypted OpenSSH or PEM private key file.") var keyFile: String
        @Flag(help: "Replace an existing entry.") var replace = false
        public init() {}

        public func run() throws {
            do {
                let entry = try VaultCommand.vault(options).add(name: name, keyFile: keyFile, replace: replace)
                print("added \(entry.name) (\(entry.fingerprint)); install this on its targets' authorized_keys:")
                print(entry.publicKey)
            } catch let error as BastionError { throw fail(error.description) }
        }
    }

    /// `vault list`
    public struct List: ParsableCommand {
        public static let configuration = CommandConfiguration(abstract: "List entries with their public halves.")
        @OptionGroup var options: ConfigOptions
        public init() {}

        public func run() throws {
            do {
                for entry in try VaultCommand.vault(options).list() {
                    print("\(entry.name)\t\(entry.fingerprint)\t\(entry.publicKey)")
                }
            } catch let error as BastionError { throw fail(error.description) }
        }
    }

    /// `vault remove NAME`
    public struct Remove: ParsableCommand {
        public static let configuration = CommandConfiguration(abstract: "Delete an entry.")
        @OptionGroup var options: ConfigOptions
        @Argument var name: String
        public init() {}

        public func run() throws {
            do {
                try VaultCommand.vault(options).remove(name: name)
                print("removed \(name)")
            } catch let error as BastionError { throw fail(error.description) }
        }
    }
}
