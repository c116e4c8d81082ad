import Testing
import HostctlFront
import HostctlHosting

@Suite struct FrontContractTests {
    @Test func theTokenHeaderIsSentInLowercase() {
        #expect(FrontContract.tokenHeader == FrontContract.tokenHeader.lowercased())
    }
}
