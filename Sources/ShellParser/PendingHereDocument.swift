/// A here-document whose body starts after the next newline.
struct PendingHereDocument {
    /// The delimiter after quote removal.
    var delimiter: [UInt8]
    /// `<<-`: leading tabs are stripped from body lines and the delimiter line.
    var stripsTabs: Bool
    /// A quoted delimiter turns off expansion inside the body.
    var isQuoted: Bool
    /// Its number in the line (``LineParser/hereDocumentScripts``).
    var number: Int
}
