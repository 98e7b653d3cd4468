import SessionCore

/// Sees every byte of a session in both directions, before it is relayed.
///
/// The recorder is a tap. A tap that throws ends the session unless policy lets it go on
/// unrecorded: nothing is relayed that was not recorded.
protocol SessionTap: AnyObject {
    func input(_ bytes: UnsafeRawBufferPointer) throws
    func output(_ bytes: UnsafeRawBufferPointer, stderr: Bool) throws
    func resize(columns: Int, rows: Int) throws
    func marker(_ label: String) throws
    /// Seconds since the recording began (the offset stored with command decisions).
    var elapsed: Double { get }
    /// Flushes what is buffered (the relay's flush tick, about once a second).
    func tick() throws
    /// Waits until everything recorded so far can be read in the recording file (which the
    /// recorder otherwise fills a moment behind the relay).
    func settle() throws
    /// Finishes the recording; returns its summary for the audit store.
    func finish() -> RecordingSummaryRow
}
