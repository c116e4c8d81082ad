import HostctlCommandLine
import Testing

@Suite struct CommandLineParserTests {
    let spec = CommandSpec(
        name: "run", summary: "Run.", usage: ["tool run"],
        options: [
            OptionSpec(key: "configuration", names: ["-c", "--configuration"], kind: .value(placeholder: "C"), summary: "", choices: [Choice("Debug"), Choice("Release")]),
            OptionSpec(key: "verbosity", names: ["-v", "--verbosity"], kind: .value(placeholder: "L"), summary: "", choices: [Choice("quiet", aliases: ["q"]), Choice("minimal", aliases: ["m"])]),
            OptionSpec(key: "profile", names: ["-lp", "--launch-profile"], kind: .value(placeholder: "N"), summary: ""),
            OptionSpec(key: "env", names: ["-e"], kind: .value(placeholder: "KV"), summary: "", isRepeatable: true),
            OptionSpec(key: "noBuild", names: ["--no-build"], kind: .flag, summary: ""),
        ],
        forwardsUnknownArguments: true
    )

    @Test func knownOptionsAnywhereAndTheRestForwardedInOrder() throws {
        let parsed = try CommandLineParser.parse(["a", "-c", "release", "", "-x", "--no-build", "b", "-e", "K=V", "-e", "L=W"], for: spec)
        #expect(parsed.value("configuration") == "Release")
        #expect(parsed.isSet("noBuild"))
        #expect(parsed.allValues("env") == ["K=V", "L=W"])
        #expect(parsed.forwarded == ["a", "", "-x", "b"])
    }

    @Test func everythingAfterTheSeparatorIsForwarded() throws {
        let parsed = try CommandLineParser.parse(["-lp", "dev", "--", "-c", "x", "--", "--no-build", ""], for: spec)
        #expect(parsed.value("profile") == "dev")
        #expect(parsed.value("configuration") == nil)
        #expect(!parsed.isSet("noBuild"))
        #expect(parsed.forwarded == ["-c", "x", "--", "--no-build", ""])
    }

    @Test func equalsFormAndAliases() throws {
        let parsed = try CommandLineParser.parse(["--configuration=debug", "-v", "Q", "--launch-profile=a=b", "--unknown=1"], for: spec)
        #expect(parsed.value("configuration") == "Debug")
        #expect(parsed.value("verbosity") == "quiet")
        #expect(parsed.value("profile") == "a=b")
        #expect(parsed.forwarded == ["--unknown=1"])
    }

    @Test func aValueMayLookLikeAnUnknownOption() throws {
        #expect(try CommandLineParser.parse(["-lp", "-weird"], for: spec).value("profile") == "-weird")
        #expect(try CommandLineParser.parse(["-lp", ""], for: spec).value("profile") == "")
    }

    @Test func theLastOfARepeatedOptionWins() throws {
        #expect(try CommandLineParser.parse(["-c", "Debug", "-c", "Release"], for: spec).value("configuration") == "Release")
    }

    @Test func errors() {
        #expect(throws: CommandLineError.missingValue(option: "-c")) { try CommandLineParser.parse(["-c"], for: spec) }
        #expect(throws: CommandLineError.missingValue(option: "--launch-profile")) { try CommandLineParser.parse(["--launch-profile", "--no-build"], for: spec) }
        #expect(throws: CommandLineError.missingValue(option: "-lp")) { try CommandLineParser.parse(["-lp", "--"], for: spec) }
        #expect(throws: CommandLineError.invalidChoice(option: "--configuration", value: "Fast", allowed: ["Debug", "Release"])) {
            try CommandLineParser.parse(["-c", "Fast"], for: spec)
        }
        let strict = CommandSpec(name: "build", summary: "", usage: [], options: [])
        #expect(throws: CommandLineError.unexpectedArgument("x")) { try CommandLineParser.parse(["x"], for: strict) }
        #expect(throws: CommandLineError.unexpectedArgument("y")) { try CommandLineParser.parse(["--", "y"], for: strict) }
    }

    @Test func errorMessagesUseSystemCommandLinesWords() {
        #expect(CommandLineError.missingValue(option: "-c").description == "Required argument missing for option: '-c'.")
        #expect(CommandLineError.invalidChoice(option: "-c", value: "x", allowed: ["A", "B"]).description == "Argument 'x' not recognized. Must be one of:\n\t'A'\n\t'B'")
        #expect(CommandLineError.unexpectedArgument("z").description == "Unrecognized command or argument 'z'.")
    }

    @Test func helpIsBuiltInAndGeneratedFromTheDeclaration() throws {
        #expect(try CommandLineParser.parse(["-?"], for: spec).helpRequested)
        let help = HelpFormatter.render(spec)
        #expect(help.contains("-c, --configuration <Debug|Release>"))
        #expect(help.contains("-e <KV>"))
        #expect(help.contains("-h, --help, -?"))
        #expect(help.hasPrefix("Description:\n  Run.\n\nUsage:\n  tool run\n"))
    }

    @Test func positionalArgumentsWhenDeclared() throws {
        let new = CommandSpec(name: "new", summary: "", usage: [], arguments: [ArgumentSpec(key: "template", placeholder: "TEMPLATE", summary: "")], options: [])
        #expect(try CommandLineParser.parse(["web"], for: new).arguments == ["web"])
        #expect(throws: CommandLineError.unexpectedArgument("extra")) { try CommandLineParser.parse(["web", "extra"], for: new) }
    }
}

@Suite struct PositionalArgumentTests {
    let spec = CommandSpec(
        name: "completions", summary: "", usage: [],
        arguments: [ArgumentSpec(key: "shell", placeholder: "SHELL", summary: "", choices: [Choice("bash"), Choice("zsh")])],
        options: []
    )

    @Test func choicesAreNormalizedAndChecked() throws {
        #expect(try CommandLineParser.parse(["ZSH"], for: spec).arguments == ["zsh"])
        #expect(throws: CommandLineError.invalidChoice(option: "<SHELL>", value: "tcsh", allowed: ["bash", "zsh"])) {
            try CommandLineParser.parse(["tcsh"], for: spec)
        }
    }

    @Test func aSecondArgumentIsUnexpected() {
        #expect(throws: CommandLineError.unexpectedArgument("zsh")) {
            try CommandLineParser.parse(["bash", "zsh"], for: spec)
        }
    }
}
