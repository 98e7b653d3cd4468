import ArgumentParser

/// The `bastion` command line: subcommands only.
public struct BastionCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "bastion",
        abstract: "An SSH bastion that understands the shell.",
        subcommands: [ServeCommand.self, ReloadCommand.self, VaultCommand.self, AuditCommand.self, ApprovalsCommand.self, ParseCommand.self, PolicyCommand.self, DoctorCommand.self])

    public init() {}
}
