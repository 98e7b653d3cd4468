import Foundation

/// The key part of an `authorized_keys`, `.pub`, or `known_hosts` line: finds
/// `TYPE BASE64 [COMMENT]` after any options or host patterns.
struct OpenSSHKeyLine: Sendable {
    let algorithm: String
    let blob: [UInt8]
    let comment: String

    /// Finds the first token naming one of `algorithms` that is followed by base64 whose
    /// decoded blob starts with that same name.
    init(_ line: String, algorithms: Set<String>) throws {
        let text = line.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, !text.hasPrefix("#") else {
            throw SSHCryptoError.malformed("the line holds no key")
        }
        let tokens = Self.tokens(of: text)
        for (position, token) in tokens.enumerated() where algorithms.contains(String(text[token])) {
            guard position + 1 < tokens.count else { break }
            let encoded = text[tokens[position + 1]]
            guard let blob = Base64.decode(encoded) else {
                throw SSHCryptoError.malformed("the key after \"\(text[token])\" is not valid base64")
            }
            var reader = SSHWireReader(blob)
            let inner = try reader.readUTF8String("key type")
            guard inner == String(text[token]) else {
                throw SSHCryptoError.malformed("the line says \(text[token]) but the key inside is \(inner.prefix(80))")
            }
            algorithm = inner
            self.blob = blob
            comment = String(text[tokens[position + 1].upperBound...]).trimmingCharacters(in: .whitespaces)
            return
        }
        throw SSHCryptoError.unsupported("no supported key type (\(algorithms.sorted().joined(separator: ", "))) in the line")
    }

    /// Whitespace-separated tokens; double quotes (options such as `command="a b"`) keep
    /// spaces inside one token, and a backslash escapes the next character in quotes.
    private static func tokens(of text: String) -> [Range<String.Index>] {
        var result: [Range<String.Index>] = []
        var index = text.startIndex
        while index < text.endIndex {
            while index < text.endIndex, text[index].isWhitespace { index = text.index(after: index) }
            guard index < text.endIndex else { break }
            let start = index
            var quoted = false
            while index < text.endIndex, quoted || !text[index].isWhitespace {
                if text[index] == "\"" {
                    quoted.toggle()
                } else if quoted, text[index] == "\\", text.index(after: index) < text.endIndex {
                    index = text.index(after: index)
                }
                index = text.index(after: index)
            }
            result.append(start..<index)
        }
        return result
    }
}
