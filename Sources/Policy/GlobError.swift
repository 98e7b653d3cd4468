/// Why a glob could not be compiled.
public struct GlobError: Error, Sendable, Equatable {
    /// What is wrong with the pattern.
    public var message: String
}
