import JSONEscaping

extension LineAnalysis {
    /// The analysis as one line of JSON:
    /// `{"status":…,"error":{"offset":…,"message":…}?,"commands":[{"argv":[…],"dynamic":[…],"derived":…,
    /// "via":[…],"redirects":[{"op":…,"fd":…?,"target":…,"dynamic":…}],"range":[start,end],"opaque":…?,"deletes":true?,"directories":[…]?}]}`
    /// (`directories`: where a `cd` before it on the line may have taken it, besides where the
    /// line started unless `excludes_line_start`; null for one known only at run time).
    public var json: String {
        var out: [UInt8] = []
        out.reserveCapacity(64 + commands.count * 96)
        writeJSON(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the JSON form (see `json`) to a byte buffer, without a trailing newline.
    public func writeJSON(into out: inout [UInt8]) {
        out.append(contentsOf: #"{"status":""#.utf8)
        switch status {
        case .complete: out.append(contentsOf: #"complete""#.utf8)
        case .incomplete: out.append(contentsOf: #"incomplete""#.utf8)
        case .error(let error):
            out.append(contentsOf: #"error","error":{"offset":"#.utf8)
            out.append(contentsOf: String(error.offset).utf8)
            out.append(contentsOf: #","message":"#.utf8)
            JSONStringEncoder.appendLiteral(error.message, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: #","commands":["#.utf8)
        for (n, command) in commands.enumerated() {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"argv":["#.utf8)
            for (k, word) in command.argv.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                JSONStringEncoder.appendLiteral(word.text, to: &out)
            }
            out.append(contentsOf: #"],"dynamic":["#.utf8)
            for (k, word) in command.argv.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: (word.isDynamic ? "true" : "false").utf8)
            }
            out.append(contentsOf: #"],"derived":"#.utf8)
            out.append(contentsOf: (command.derived ? "true" : "false").utf8)
            out.append(contentsOf: #","via":["#.utf8)
            for (k, via) in command.via.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                JSONStringEncoder.appendLiteral(via, to: &out)
            }
            out.append(contentsOf: #"],"redirects":["#.utf8)
            for (k, redirect) in command.redirects.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: #"{"op":"#.utf8)
                JSONStringEncoder.appendLiteral(redirect.op, to: &out)
                if let fd = redirect.fd {
                    out.append(contentsOf: #","fd":"#.utf8)
                    out.append(contentsOf: String(fd).utf8)
                }
                out.append(contentsOf: #","target":"#.utf8)
                JSONStringEncoder.appendLiteral(redirect.target.text, to: &out)
                out.append(contentsOf: #","dynamic":"#.utf8)
                out.append(contentsOf: (redirect.target.isDynamic ? "true}" : "false}").utf8)
            }
            out.append(contentsOf: #"],"range":["#.utf8)
            out.append(contentsOf: String(command.range.lowerBound).utf8)
            out.append(UInt8(ascii: ","))
            out.append(contentsOf: String(command.range.upperBound).utf8)
            out.append(UInt8(ascii: "]"))
            if let opaque = command.opaque {
                out.append(contentsOf: #","opaque":""#.utf8)
                out.append(contentsOf: opaque.rawValue.utf8)
                out.append(UInt8(ascii: "\""))
            }
            if command.deletes { out.append(contentsOf: #","deletes":true"#.utf8) }
            if command.directory != .lineStart {
                out.append(contentsOf: #","directories":["#.utf8)
                for (k, path) in command.directory.paths.enumerated() {
                    if k > 0 { out.append(UInt8(ascii: ",")) }
                    JSONStringEncoder.appendLiteral(path, to: &out)
                }
                if command.directory.includesUnknown || command.directory.overflowed {
                    out.append(contentsOf: (command.directory.paths.isEmpty ? "null" : ",null").utf8)
                }
                out.append(UInt8(ascii: "]"))
                if command.directory.excludesLineStart { out.append(contentsOf: #","excludes_line_start":true"#.utf8) }
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: "]}".utf8)
    }
}
