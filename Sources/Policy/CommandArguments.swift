import ShellParser

/// The arguments of one command, split the way option parsers see them: flags before `--`,
/// positional arguments (prepared as paths), and the text rules may search. (A class: it is
/// built once per command and shared by every rule that looks.)
final class CommandArguments {
    /// Letters of static single-dash words (`-rf` → r, f).
    let shortFlags: Set<UInt8>
    /// Static single-dash words as written (`-delete`, `-rf`).
    let dashWords: Set<String>
    /// Names of static long flags, without `--` and without `=value`.
    let longFlags: [String]
    /// Whether a dynamic word could expand to a flag (`$opts`, `"$@"`).
    let mayHideFlags: Bool
    /// Words that are not flags (and every word after `--`).
    let positionals: [ShellWord]
    /// The positionals prepared for path globs (on first use).
    private(set) lazy var positionalPaths: [PathArgument] = positionals.map { PathArgument($0, directories: directories, anywhere: anywhere) }
    /// The directories the command may run in: relative paths are also read under each.
    let directories: [String]
    /// A relative path may name anything (the directory is past following).
    let anywhere: Bool
    /// Every argument after the command name.
    let words: [ShellWord]
    /// The arguments joined by single spaces (on first use).
    private(set) lazy var text: String = words.map(\.text).joined(separator: " ")

    init(_ argv: [ShellWord], directories: [String] = [], anywhere: Bool = false) {
        self.directories = directories
        self.anywhere = anywhere
        var shortFlags = Set<UInt8>()
        var dashWords = Set<String>()
        var longFlags: [String] = []
        var mayHideFlags = false
        var positionals: [ShellWord] = []
        var endOfOptions = false
        let words = Array(argv.dropFirst())
        let isDD = argv.first.map { !$0.isDynamic && ($0.text == "dd" || $0.text.hasSuffix("/dd")) } ?? false
        for word in words {
            if endOfOptions {
                positionals.append(word)
                continue
            }
            if word.isDynamic {
                if let first = word.text.first, "$`-*?[".contains(first) { mayHideFlags = true }
                if !word.text.hasPrefix("-") {
                    positionals.append(word)
                    continue
                }
            }
            let text = word.text
            if text == "--" && !word.isDynamic {
                endOfOptions = true
            } else if text.hasPrefix("--") {
                let body = text.dropFirst(2)
                longFlags.append(String(body.prefix { $0 != "=" }))
                // A path given inside an option (`--target-directory=/srv`) is a path it names too.
                if let equals = body.firstIndex(of: "="), body[body.index(after: equals)...].contains("/") {
                    positionals.append(ShellWord(String(body[body.index(after: equals)...]), isDynamic: word.isDynamic))
                }
            } else if text.hasPrefix("-") && text.utf8.count > 1 {
                dashWords.insert(text)
                for byte in text.utf8.dropFirst() { shortFlags.insert(byte) }
                // (and one attached to a short option: `-t/srv`)
                if text.utf8.count > 3, let slash = text.firstIndex(of: "/"), text.distance(from: text.startIndex, to: slash) == 2 {
                    positionals.append(ShellWord(String(text[slash...]), isDynamic: word.isDynamic))
                }
            } else {
                positionals.append(word)
                // dd names its files in operands: a relative one (`cd /dev && dd of=sda`) is read
                // where the command may run too, as `of=/dev/sda`.
                if isDD, text.hasPrefix("of=") || text.hasPrefix("if="), text.count > 3, PathArgument.isRelative(String(text.dropFirst(3))) {
                    for directory in directories {
                        positionals.append(ShellWord(text.prefix(3) + directory + "/" + text.dropFirst(3), isDynamic: word.isDynamic))
                    }
                }
            }
        }
        self.shortFlags = shortFlags
        self.dashWords = dashWords
        self.longFlags = longFlags
        self.mayHideFlags = mayHideFlags
        self.positionals = positionals
        self.words = words
    }

    /// Whether any argument depends on run-time expansion.
    var hasDynamicWords: Bool { words.contains { $0.isDynamic } }
}
