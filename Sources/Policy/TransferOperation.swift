/// What a file transfer does on the target, as transfer rules name it.
public enum TransferOperation: String, Sendable, CaseIterable, Hashable {
    /// Writing a file's contents (sftp put, scp to the target, rsync to the target).
    case upload
    /// Reading a file's contents.
    case download
    /// Removing a file (`rm`, rsync `--delete`).
    case delete
    /// Renaming or moving (both the old and the new path are decided).
    case rename
    case mkdir
    case rmdir
    /// Changing attributes: mode, owner, times (`chmod`, `scp -p`).
    case setstat
    /// Creating a symbolic or hard link.
    case symlink
    /// Reading names and attributes: listing a directory, `stat`, `readlink`, `df`.
    case list
}

/// One file operation to decide: what, where, and (when known) how many bytes.
public struct TransferRequest: Sendable, Equatable {
    /// The operation.
    public var operation: TransferOperation
    /// The path on the target: absolute and resolved by the target's `realpath` where the
    /// protocol allows it (SFTP), otherwise normalised (`..`, `//`, `~`).
    public var path: String
    /// The target user's home directory, when known: rules written `~/…` match below it.
    public var home: String?
    /// The file's size in bytes, when known before the bytes cross (an scp record).
    public var size: Int64?

    /// A request to decide.
    public init(operation: TransferOperation, path: String, home: String? = nil, size: Int64? = nil) {
        self.operation = operation
        self.path = path
        self.home = home
        self.size = size
    }

    /// The forms of the path rules are matched against: the path itself, and `~/…` when it
    /// lies in the home directory.
    var matchedForms: [String] {
        let path = PathNormalizer.normalize(self.path)
        guard let home, home.hasPrefix("/") else { return [path] }
        let root = PathNormalizer.normalize(home)
        if path == root { return [path, "~"] }
        if path.hasPrefix(root == "/" ? "/" : root + "/") {
            return [path, "~/" + path.dropFirst(root == "/" ? 1 : root.count + 1)]
        }
        return [path]
    }
}

/// One transfer rule: when the operation and path match, `action` applies.
public final class TransferRule: Sendable {
    /// Unique among a role's rules.
    public let id: String
    public let action: RuleAction
    /// What the person is told.
    public let message: String
    /// The operations matched (all when nil).
    public let operations: Set<TransferOperation>?
    /// Path globs (normalised, `**` crosses directories); any path when nil.
    public let paths: [Glob]?
    /// Allow rules: the largest file they allow, in bytes.
    public let maxSize: Int64?
    /// Escalate rules: seconds the operation waits for approvers (nil: the policy's default).
    public let approvalTimeout: Double?
    /// Where the rule was written (`file:line`).
    public let location: String

    /// A rule.
    public init(id: String, action: RuleAction, message: String, operations: Set<TransferOperation>?, paths: [Glob]?,
                maxSize: Int64? = nil, approvalTimeout: Double? = nil, location: String = "") {
        self.id = id
        self.action = action
        self.message = message
        self.operations = operations
        self.paths = paths
        self.maxSize = maxSize
        self.approvalTimeout = approvalTimeout
        self.location = location
    }

    /// Whether the rule speaks for `request` (operation and path; size is the caller's concern).
    public func matches(_ request: TransferRequest) -> Bool {
        if let operations, !operations.contains(request.operation) { return false }
        guard let paths else { return true }
        let forms = request.matchedForms
        return paths.contains { glob in forms.contains(where: glob.matches) }
    }
}

/// Limits on the bytes a role lets cross (`transfer_limits: {file: 100M, session: 1G}`).
public struct TransferLimits: Sendable, Equatable {
    /// The largest single file, in bytes.
    public var file: Int64?
    /// The most bytes one transfer session may move, both ways together.
    public var session: Int64?

    public init(file: Int64? = nil, session: Int64? = nil) {
        self.file = file
        self.session = session
    }

    /// The tighter of two limits.
    static func tighter(_ a: Int64?, _ b: Int64?) -> Int64? {
        switch (a, b) {
        case (nil, let x), (let x, nil): return x
        case (let x?, let y?): return min(x, y)
        }
    }
}

/// Policy's answer for one file operation.
public struct TransferDecision: Sendable {
    /// Allow, deny or escalate.
    public var verdict: Verdict
    /// The role whose answer counted.
    public var role: String?
    /// The rule, or a pseudo id: `no-role`, `strict-default`, `size-limit`.
    public var ruleID: String?
    /// What the person is told.
    public var message: String
    /// For an allowed upload or download: the most bytes the file may have (nil: no limit).
    public var maxFileSize: Int64?
    /// For an escalation: seconds it waits for approvers.
    public var approvalTimeout: Double?

    public init(verdict: Verdict, role: String?, ruleID: String?, message: String, maxFileSize: Int64? = nil,
                approvalTimeout: Double? = nil) {
        self.verdict = verdict
        self.role = role
        self.ruleID = ruleID
        self.message = message
        self.maxFileSize = maxFileSize
        self.approvalTimeout = approvalTimeout
    }
}
