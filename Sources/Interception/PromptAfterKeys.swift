/// Keys typed on a line before a line editor started reading it (its prompt came): a program
/// before it (`read -n1`, `top`) may have taken some of them, and the line editor the rest, as
/// type-ahead drawn after the prompt. Where the prompt ends, and so the line starts, the screen
/// does not tell.
struct PromptAfterKeys {
    /// The keys' line when the prompt came.
    let keysBefore: String
    /// The same where Delete erases a byte (``TypedLine/textErasingBytes``), as the terminal's
    /// line discipline did while a program ran (the target's terminal has no `iutf8`), where
    /// that differs.
    var keysBeforeErasingBytes: String? = nil
    /// The text left of the cursor when the first key after the prompt came (the line is read
    /// on from there); nil until then.
    var shownBefore: String?
    /// The keys since then.
    var keysAfter: TypedLine?
}
