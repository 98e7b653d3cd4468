/// A problem in a configuration file, with the place it was found.
///
/// Printed as `file:line:column: message`, the form editors and CI logs link to.
public struct ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file the problem is in.
    public var file: String
    /// 1-based line, or 0 when the problem is about the file as a whole.
    public var line: Int
    /// 1-based column, or 0 when unknown.
    public var column: Int
    /// What is wrong, phrased for the person editing the file.
    public var message: String
    /// Whether this is only a warning (the file is still usable).
    public var isWarning: Bool

    public init(file: String, line: Int, column: Int, message: String, isWarning: Bool = false) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.isWarning = isWarning
    }

    public var description: String {
        let kind = isWarning ? "warning: " : ""
        if line == 0 { return "\(file): \(kind)\(message)" }
        return "\(file):\(line):\(column): \(kind)\(message)"
    }
}

/// Several problems found in one pass, so a user fixes them all at once.
public struct ConfigErrors: Error, CustomStringConvertible, Sendable {
    public var errors: [ConfigError]
    public init(_ errors: [ConfigError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
