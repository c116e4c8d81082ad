import HostctlFront
import Testing

@Suite struct FrontErrorPageTests {
    func text(_ page: FrontUnavailable) -> String { String(decoding: page.body, as: UTF8.self) }

    @Test func startFailuresNameTheCause() {
        let exited = FrontErrorPage.startFailed(app: "/srv/app", failure: .ended(.exited(3)), outputTail: nil)
        #expect(exited.status == 502)
        #expect(exited.contentType == "text/html; charset=utf-8")
        #expect(text(exited).contains("<code>/srv/app</code> exited with code 3."))
        let killed = FrontErrorPage.startFailed(app: "app", failure: .ended(.signaled(9)), outputTail: nil)
        #expect(text(killed).contains("was killed by signal 9 (SIGKILL)"))
        let slow = FrontErrorPage.startFailed(app: "app", failure: .startupTimeout(.seconds(120)), outputTail: nil)
        #expect(text(slow).contains("did not start listening within 120 s"))
        #expect(AppFailure.startupTimeout(.milliseconds(1500)).summary == "did not start listening within 1.5 s")
        #expect(AppFailure.startupTimeout(.milliseconds(200)).summary == "did not start listening within 200 ms")
        #expect(AppFailure.couldNotStart("the file does not exist").summary == "could not be started: the file does not exist")
    }

    @Test func theOutputTailIsShownEscapedOnlyWhenGiven() {
        let hidden = FrontErrorPage.startFailed(app: "app", failure: .ended(.exited(1)), outputTail: nil)
        #expect(!text(hidden).contains("<pre>"))
        let shown = FrontErrorPage.startFailed(app: "a<b>", failure: .ended(.exited(1)), outputTail: ["<script>alert('x')</script>", "a & b \"q\""])
        let html = text(shown)
        #expect(html.contains("<code>a&lt;b&gt;</code>"))
        #expect(html.contains("<pre>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;\na &amp; b &quot;q&quot;</pre>"))
        #expect(!html.contains("<script>"))
        let silent = FrontErrorPage.startFailed(app: "app", failure: .ended(.exited(1)), outputTail: [])
        #expect(text(silent).contains("It wrote nothing"))
    }

    @Test func tooManyFailuresSaysWhenItTriesAgain() {
        let page = FrontErrorPage.tooManyFailures(app: "app", limit: 10, window: .seconds(60), retryInSeconds: 42, lastFailure: .ended(.exited(3)))
        #expect(page.status == 503)
        #expect(text(page).contains("failed 10 times within 60 s"))
        #expect(text(page).contains("in about 42 s"))
        #expect(text(page).contains("The last time, it exited with code 3."))
    }

    @Test func theOfflinePageIsTheFileAsItIs() {
        let page = FrontErrorPage.offline(Array("<h1>Back soon</h1>".utf8))
        #expect(page.status == 503)
        #expect(text(page) == "<h1>Back soon</h1>")
    }
}
