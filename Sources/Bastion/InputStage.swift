/// What the relay should do with a chunk of client input.
enum InputVerdict {
    /// Forward the chunk as it came (no copy).
    case forwardUnchanged
    /// Forward these bytes to the target instead (rewritten).
    case forward([UInt8])
    /// Hold them (the stage keeps them until it decides).
    case hold
    /// Drop them, optionally telling the client why.
    case drop(notice: String?)
}

/// A stage every byte from the client passes before it reaches the target.
///
/// The relay owns the bytes' order: a stage may hold input (awaiting a decision), drop it, or
/// forward something else. The default stage forwards everything; the interactive interceptor
/// and transfer gates are stages.
protocol InputStage: AnyObject {
    /// Called with each chunk read from the client.
    func process(_ bytes: UnsafeRawBufferPointer) -> InputVerdict
}

/// Forwards input unchanged.
final class PassThroughStage: InputStage {
    func process(_ bytes: UnsafeRawBufferPointer) -> InputVerdict { .forwardUnchanged }
}
