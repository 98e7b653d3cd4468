import Testing
@testable import Policy

@Suite struct PathNormalizerTests {
    /// Every spelling of the same place normalises to one form.
    @Test(arguments: [
        ("/", "/"), ("//", "/"), ("/./", "/"), ("/usr/../", "/"), ("/..", "/"), ("/../../etc", "/etc"),
        ("/etc/", "/etc"), ("/etc//passwd", "/etc/passwd"), ("/usr/./bin/", "/usr/bin"), ("/usr/lib/../bin", "/usr/bin"),
        ("build/", "build"), ("./build", "build"), (".", "."), ("./", "."), ("a/..", "."), ("../x", "../x"), ("../../", "../.."),
        ("~", "~"), ("~/", "~"), ("~/.", "~"), ("~/x/../y", "~/y"), ("~bob", "~"), ("~bob/x", "~/x"), ("~/..", "~/.."),
        ("$HOME", "~"), ("${HOME}", "~"), ("$HOME/", "~"), ("$HOME/src", "~/src"), ("$HOMEX", "$HOMEX"),
        ("of=/dev//sda", "of=/dev/sda"),
    ])
    func normalises(_ input: String, _ expected: String) {
        #expect(PathNormalizer.normalize(input) == expected, "\(input)")
    }
}
