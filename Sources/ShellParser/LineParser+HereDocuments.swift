extension LineParser {
    /// Reads the bodies of the pending here-documents that start at `pos` (just after a newline).
    /// A body that the line ends inside makes the line incomplete, as an interactive bash would prompt.
    mutating func readHereDocumentBodies() throws {
        let pending = pendingHereDocuments
        pendingHereDocuments = []
        for document in pending {
            let bodyStart = pos
            var lineStart = pos
            var bodyEnd = -1
            while lineStart < end {
                var lineEnd = lineStart
                while lineEnd < end && bytes[lineEnd] != 0x0A { lineEnd += 1 }
                var contentStart = lineStart
                if document.stripsTabs {
                    while contentStart < lineEnd && bytes[contentStart] == 0x09 { contentStart += 1 }
                }
                if lineEnd - contentStart == document.delimiter.count
                    && bytes[contentStart..<lineEnd].elementsEqual(document.delimiter) {
                    bodyEnd = lineStart
                    pos = min(lineEnd + 1, end)
                    break
                }
                lineStart = lineEnd + 1
            }
            guard bodyEnd >= 0 else {
                hereDocumentBodies.append(bodyStart..<end)
                pos = end
                history.inHereDocument = true
                throw ParseStop.incomplete
            }
            hereDocumentBodies.append(bodyStart..<pos)
            if !document.isQuoted { try scanHereDocumentExpansions(bodyStart..<bodyEnd) }
        }
    }

    /// Finds the substitutions in an unquoted here-document body: they run when the body is expanded.
    /// A malformed one is a runtime error in bash, not a syntax error, so failures are ignored here.
    mutating func scanHereDocumentExpansions(_ body: Range<Int>) throws {
        let savedPos = pos, savedEnd = end
        pos = body.lowerBound
        end = body.upperBound
        defer { pos = savedPos; end = savedEnd }
        try withFreshWordBuffer { parser in
            var scratch = ScannedWord(start: parser.pos)
            while parser.pos < parser.end {
                let b = parser.bytes[parser.pos]
                do {
                    switch b {
                    case UInt8(ascii: "\\"): parser.pos += 2
                    case UInt8(ascii: "$"): try parser.scanDollar(&scratch, inDoubleQuotes: true)
                    case UInt8(ascii: "`"): try parser.scanBackquote(&scratch, inDoubleQuotes: true)
                    default: parser.pos += 1
                    }
                } catch ParseStop.syntax(let error) where error.message.hasPrefix("nesting") {
                    throw ParseStop.syntax(error)
                } catch {
                    return
                }
                parser.text.removeAll(keepingCapacity: true)
                parser.quotedSpans.removeAll(keepingCapacity: true)
            }
        }
    }
}
