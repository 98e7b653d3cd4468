/// Sees every byte of a session in both directions, before it is relayed.
///
/// The recorder is a tap. A tap that throws ends the session: nothing is relayed that was not
/// recorded.
protocol SessionTap: AnyObject {
    func input(_ bytes: UnsafeRawBufferPointer) throws
    func output(_ bytes: UnsafeRawBufferPointer, stderr: Bool) throws
    func resize(columns: Int, rows: Int) throws
    func marker(_ label: String) throws
    func decision(line: String, decision: String, rule: String?) throws
    /// Seconds since the recording began (the offset stored with command decisions).
    var elapsed: Double { get }
    /// Flushes what is buffered (called about once a second by the connection loop).
    func tick() throws
    /// Finishes the recording; returns its summary for the audit store.
    func finish() -> RecordingSummaryRow?
}

/// What the audit store keeps about a finished recording.
struct RecordingSummaryRow {
    var path: String
    var size: Int
    var sha256: String
    var signatureStatus: String
}
