import HostctlLaunch
import Testing

@Suite struct CommandLineArgsSplitterTests {
    @Test(arguments: [
        ("", []),
        ("   \t ", []),
        ("a b  c", ["a", "b", "c"]),
        ("\"a b\" c", ["a b", "c"]),
        ("TestAppCommandLineArguments SecondTestAppCommandLineArguments", ["TestAppCommandLineArguments", "SecondTestAppCommandLineArguments"]),
        ("a \"\" b", ["a", "", "b"]),
        ("\"\"", [""]),
        ("x\"y z\"w", ["xy zw"]),
        ("\\\"quoted\\\"", ["\"quoted\""]),
        ("a\\\\\"b c\"", ["a\\b c"]),
        ("a\\\\\\\"b", ["a\\\"b"]),
        ("C:\\dir\\ next", ["C:\\dir\\", "next"]),
        ("\"in \"\"quotes\"\" here\"", ["in \"quotes\" here"]),
        ("\"unterminated arg", ["unterminated arg"]),
        ("tab\tseparated", ["tab", "separated"]),
        ("ünïcödé \"€ uro\"", ["ünïcödé", "€ uro"]),
        ("new\nline", ["new\nline"]),
    ])
    func splitsLikeDotnet(_ line: String, _ expected: [String]) {
        #expect(CommandLineArgsSplitter.split(line) == expected)
    }
}
