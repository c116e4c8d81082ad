@testable import HostctlCommandLine
import Testing

@Suite struct NameSuggestionTests {
    @Test func nearestWithinTwoEditsIgnoringCase() {
        #expect(NameSuggestion.nearest(to: "htpp", among: ["http", "iouring", "proxied"]) == "http")
        #expect(NameSuggestion.nearest(to: "PROXID", among: ["http", "iouring", "proxied"]) == "proxied")
        #expect(NameSuggestion.nearest(to: "rn", among: ["run", "build", "new"]) == "run")
        #expect(NameSuggestion.nearest(to: "staging", among: ["http", "iouring", "proxied"]) == nil)
        #expect(NameSuggestion.nearest(to: "x", among: []) == nil)
        #expect(NameSuggestion.nearest(to: "x", among: ["exe"]) == nil, "two edits are too many for one letter")
    }

    @Test func editDistance() {
        #expect(NameSuggestion.editDistance("", "abc") == 3)
        #expect(NameSuggestion.editDistance("abc", "") == 3)
        #expect(NameSuggestion.editDistance("kitten", "sitting") == 3)
        #expect(NameSuggestion.editDistance("same", "same") == 0)
    }
}
