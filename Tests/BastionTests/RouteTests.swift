import Testing
@testable import Bastion

/// How a login name and a request become a target and an action.
struct RouteTests {
    /// `ssh alice@bastion web1 CMD…` runs CMD on web1.
    @Test func execNamesTargetFirst() {
        #expect(Route.resolve(user: "alice", request: .exec("web1 uname -a")).action == .exec(target: "web1", command: "uname -a"))
        #expect(Route.resolve(user: "alice", request: .exec("  web1\t ls  -l ")).action == .exec(target: "web1", command: "ls  -l "))
    }

    /// `ssh alice@bastion web1` (exec of the bare target name) is an interactive shell there.
    @Test func bareTargetIsShell() {
        #expect(Route.resolve(user: "alice", request: .exec("web1")).action == .shell(target: "web1"))
    }

    /// No target: the person gets the list.
    @Test func noTargetLists() {
        #expect(Route.resolve(user: "alice", request: .shell).action == .listTargets)
        #expect(Route.resolve(user: "alice", request: .exec("   ")).action == .listTargets)
    }

    /// `alice+web1` carries the target for tools that cannot pass a command.
    @Test func loginCarriesTarget() {
        let sftp = Route.resolve(user: "alice+web1", request: .subsystem("sftp"))
        #expect(sftp.login == "alice")
        #expect(sftp.action == .subsystem(target: "web1", name: "sftp"))
        #expect(Route.resolve(user: "alice+web1", request: .exec("scp -t /tmp")).action == .exec(target: "web1", command: "scp -t /tmp"))
        #expect(Route.resolve(user: "alice+web1", request: .shell).action == .shell(target: "web1"))
    }

    /// A certificate's force-command replaces what the client asked, shell included.
    @Test func forceCommandReplacesRequest() {
        #expect(Route.resolve(user: "alice", request: .exec("web1 rm -rf /"), forcedCommand: "uptime").action
                == .exec(target: "web1", command: "uptime"))
        #expect(Route.resolve(user: "alice+web1", request: .shell, forcedCommand: "uptime").action
                == .exec(target: "web1", command: "uptime"))
    }

    /// A subsystem without a target in the login has nowhere to go.
    @Test func subsystemNeedsLoginTarget() {
        #expect(Route.resolve(user: "alice", request: .subsystem("sftp")).action == .listTargets)
    }
}
