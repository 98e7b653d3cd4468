import Foundation

/// Base64 as OpenSSH writes it: standard alphabet, padded in key files, wrapped in armor.
enum Base64 {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }

    /// Decodes strict base64 (padding required, no whitespace).
    static func decode(_ text: Substring) -> [UInt8]? {
        Data(base64Encoded: String(text)).map { [UInt8]($0) }
    }

    /// Base64 split into lines of `width` characters, each ended by a newline.
    static func wrapped(_ bytes: [UInt8], width: Int) -> String {
        let text = encode(bytes)
        var output = ""
        var index = text.startIndex
        while index < text.endIndex {
            let end = text.index(index, offsetBy: width, limitedBy: text.endIndex) ?? text.endIndex
            output += text[index..<end] + "\n"
            index = end
        }
        return output
    }

    /// Extracts and decodes the body of a PEM-like armor (`-----BEGIN label-----`), ignoring
    /// text around it and whitespace inside it.
    static func dearmor(_ text: String, label: String) throws -> [UInt8] {
        let begin = "-----BEGIN \(label)-----"
        let end = "-----END \(label)-----"
        guard let beginRange = text.range(of: begin) else {
            throw SSHCryptoError.malformed("no \"\(begin)\" line")
        }
        guard let endRange = text.range(of: end, range: beginRange.upperBound..<text.endIndex) else {
            throw SSHCryptoError.malformed("no \"\(end)\" line")
        }
        // Line breaks and indentation are ASCII; filtering bytes avoids Unicode property lookups.
        let bodyBytes = text[beginRange.upperBound..<endRange.lowerBound].utf8.filter { ![0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D].contains($0) }
        guard let bytes = decode(Substring(String(decoding: bodyBytes, as: UTF8.self))) else {
            throw SSHCryptoError.malformed("the \(label) body is not valid base64")
        }
        return bytes
    }
}
