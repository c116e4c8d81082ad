import __NAME__Core
import Testing

@Test func greetsWithoutArguments() {
    #expect(greeting(arguments: []) == "Hello from __NAME__!")
}

@Test func mentionsItsArguments() {
    #expect(greeting(arguments: ["a", "b"]) == "Hello from __NAME__, with a b!")
}
