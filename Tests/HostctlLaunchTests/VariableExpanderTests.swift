import HostctlLaunch
import Testing

@Suite struct VariableExpanderTests {
    let expander = VariableExpander { name in
        ["HOME": "/home/me", "A": "1", "EMPTY": "", "WITH_PERCENT": "50%"][name]
    }

    @Test(arguments: [
        ("plain text", "plain text"),
        ("%HOME%/x", "/home/me/x"),
        ("%A%%A%", "11"),
        ("%NOPE%", "%NOPE%"),
        ("%NOPE%HOME%", "%NOPE/home/me"),
        ("100%", "100%"),
        ("%%", "%%"),
        ("%EMPTY%x", "x"),
        ("$HOME/x", "/home/me/x"),
        ("${HOME}x", "/home/mex"),
        ("$Ax", "$Ax"),
        ("${A}x", "1x"),
        ("$NOPE and ${NOPE}", "$NOPE and ${NOPE}"),
        ("cost: $5", "cost: $5"),
        ("end$", "end$"),
        ("${A", "${A"),
        ("${1A}", "${1A}"),
        ("%WITH_PERCENT%A%", "50%A%"),
        ("é%A%ü$A", "é1ü1"),
    ])
    func expands(_ input: String, _ expected: String) {
        #expect(expander.expand(input) == expected)
    }
}
