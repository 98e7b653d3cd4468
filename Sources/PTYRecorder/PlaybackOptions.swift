/// How `RecordingPlayer` plays.
public struct PlaybackOptions: Sendable {
    /// Playback speed factor (1 = original timing).
    public var speed: Double = 1
    /// Longest pause between events, in recorded seconds (nil: as recorded).
    public var idleLimit: Double?
    /// Whether to draw the status line.
    public var showStatus = true
    /// Start paused (the pty tests use it).
    public var startPaused = false
    /// Creates the defaults.
    public init() {}
}
