/// The shell variables a builtin sets by name instead of by `NAME=value`: `printf -v NAME`,
/// `read NAME…` and `read -a NAME`, `mapfile`/`readarray NAME`, and the variable a nameref binds
/// (`declare -n REF=NAME`: assigning REF then sets NAME; one bound to a name known only at run
/// time, or not bound yet, is an unknown target).
/// Subscripts are dropped (`a[1]` → `a`).
public enum BuiltinVariableTargets {
    /// What `argv` (a simple command, name first) assigns: each a variable's name, or nil for a
    /// name known only at run time. Empty for every other command.
    public static func of(_ argv: [ShellWord]) -> [String?] {
        guard let first = argv.first, !first.isDynamic else { return [] }
        switch first.text {
        case "printf":
            var options = OptionScanner(shortWithValue: Set("v".utf8))
            let start = options.scan(argv, from: 1)
            return options.seen.filter { $0.name == "v" }.map { name(of: $0.value) } + unreadOption(argv, at: start)
        case "read":
            var options = OptionScanner(shortWithValue: Set("adinNptu".utf8))
            let start = options.scan(argv, from: 1)
            let arrays = options.seen.filter { $0.name == "a" }.map { name(of: $0.value) }
            let names = argv[start...].map { name(of: $0) }
            return arrays + names + unreadOption(argv, at: start)
        case "mapfile", "readarray":
            var options = OptionScanner(shortWithValue: Set("dnOsuCc".utf8))
            let start = options.scan(argv, from: 1)
            return argv[start...].prefix(1).map { name(of: $0) } + unreadOption(argv, at: start)
        case "declare", "typeset", "local":
            var options = OptionScanner()
            let start = options.scan(argv, from: 1)
            guard options.has("n") else { return [] }
            // A nameref to a name known only at run time (`local -n list=$1`, `-n r=PS4[0]`,
            // whose subscript reads as a glob here), or one left unbound (a plain `r=NAME` later
            // binds it), may set any variable: an unknown target.
            return argv[start...].map { word -> String? in
                guard !word.isDynamic, let equals = word.text.firstIndex(of: "=") else { return nil }
                return name(of: ShellWord(String(word.text[word.text.index(after: equals)...])))
            } + unreadOption(argv, at: start)
        default:
            return []
        }
    }

    /// The variable a word names (nil when it is known only at run time).
    private static func name(of word: ShellWord?) -> String? {
        guard let word, !word.isDynamic else { return nil }
        if let bracket = word.text.firstIndex(of: "[") { return String(word.text[..<bracket]) }
        return word.text
    }

    /// An option word the scanner stopped at because it is dynamic (it may be `-v NAME` at run
    /// time): an unknown target.
    private static func unreadOption(_ argv: [ShellWord], at start: Int) -> [String?] {
        start < argv.count && argv[start].isDynamic && argv[start].text.hasPrefix("-") ? [nil] : []
    }
}
