@testable import Interception
import Testing

/// Continuation lines and pastes become the commands bash records (truth: the keystroke corpus).
struct CommandAssemblerTests {
    static func run(_ buffers: [String]) -> [String] {
        var assembler = CommandAssembler()
        return buffers.flatMap { assembler.accept($0).map(\.text) }
    }

    @Test(arguments: [
        (["echo a \\", "b"], ["echo a b"]),
        (["echo one \\", "two \\", "three"], ["echo one two three"]),
        (["echo 'one", "two'"], ["echo 'one\ntwo'"]),
        (["cat <<EOF", "line1", "line2", "EOF"], ["cat <<EOF\nline1\nline2\nEOF\n"]),
        (["for i in 1 2 3", "do", "echo $i", "done"], ["for i in 1 2 3\ndo\necho $i\ndone"]),
        (["echo abc |", "cat"], ["echo abc |\ncat"]),
        (["echo p1\necho p2\n"], ["echo p1", "echo p2"]),
        (["for i in 1 2\ndo\necho $i\ndone\necho after\n"], ["for i in 1 2\ndo\necho $i\ndone", "echo after"]),
        (["cat <<EOF\nh1\nEOF\necho after-doc\n"], ["cat <<EOF\nh1\nEOF\n", "echo after-doc"]),
        (["echo c1\r\necho c2\r\n"], ["echo c1", "echo c2"]),
        (["", "echo x"], ["echo x"]),
    ])
    /// Each case is a corpus case: the buffers readline accepts and what bash recorded.
    func assembles(buffers: [String], expected: [String]) {
        #expect(Self.run(buffers) == expected)
    }

    /// An incomplete line stays pending; the line that completes it reports how many of its own lines it used.
    @Test func pendingAcrossBuffers() {
        var assembler = CommandAssembler()
        #expect(assembler.accept("for i in 1; do").isEmpty)
        #expect(assembler.isContinuing)
        let done = assembler.accept("echo $i; done\necho next")
        #expect(done.map(\.text) == ["for i in 1; do\necho $i; done", "echo next"])
        #expect(done.map(\.linesOfBuffer) == [1, 1])
    }
}
