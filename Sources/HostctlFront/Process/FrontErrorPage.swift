import HostctlHosting

/// The pages the front answers with when it cannot hand a request to the app. HTML,
/// since browsers are who read them (ANCM's 502.5 and app_offline pages are HTML too);
/// every piece of text from outside (the command, the app's output) is escaped.
public enum FrontErrorPage {
    /// 502: the app could not be started, with the cause and, in Development, the last
    /// lines of its output.
    public static func startFailed(app: String, failure: AppFailure, outputTail: [String]?) -> FrontUnavailable {
        var body = "<p>The app <code>\(escape(app))</code> \(escape(failure.summary)).</p>\n"
        body += "<p>Common causes: the process failed to start, started but then stopped, or started but did not listen "
            + "(it must listen on 127.0.0.1 on the port in $PORT, or bind 127.0.0.1:$HOSTCTL_PORT and write the port "
            + "to $HOSTCTL_READY_FD).</p>\n"
        if let outputTail {
            if outputTail.isEmpty {
                body += "<p>It wrote nothing to stdout or stderr.</p>\n"
            } else {
                body += "<p>The last lines of its output:</p>\n<pre>"
                    + outputTail.map(escape).joined(separator: "\n") + "</pre>\n"
            }
        }
        return page(status: 502, title: "502.5 Process Failure", body: body)
    }

    /// While nothing runs and nothing starts on a request (hostctl watch): 503 before the
    /// first successful build, else 502 naming how the last run ended (with, in Development,
    /// the last lines of its output).
    public static func notRunning(app: String, lastFailure: AppFailure?, outputTail: [String]?) -> FrontUnavailable {
        guard let lastFailure else {
            return page(
                status: 503, title: "503 Service Unavailable",
                body: "<p>The app is not running yet: hostctl watch starts it after a successful build.</p>\n"
            )
        }
        var body = "<p>The app <code>\(escape(app))</code> \(escape(lastFailure.summary)). "
            + "hostctl watch starts it again after the next change (or Ctrl+R).</p>\n"
        if let outputTail, !outputTail.isEmpty {
            body += "<p>The last lines of its output:</p>\n<pre>" + outputTail.map(escape).joined(separator: "\n") + "</pre>\n"
        }
        return page(status: 502, title: "502.5 Process Failure", body: body)
    }

    /// 503: too many failures in the rapid-failure window.
    public static func tooManyFailures(app: String, limit: Int, window: Duration, retryInSeconds: Int64, lastFailure: AppFailure?) -> FrontUnavailable {
        var body = "<p>The app <code>\(escape(app))</code> failed \(limit) time\(limit == 1 ? "" : "s") within "
            + "\(escape(AppFailure.describe(window))), so it is not started again for now. "
            + "It will be started on a request in about \(retryInSeconds) s.</p>\n"
        if let lastFailure { body += "<p>The last time, it \(escape(lastFailure.summary)).</p>\n" }
        return page(status: 503, title: "503 Service Unavailable", body: body)
    }

    /// 503: app_offline.htm is present; its content is the page, as ANCM serves it.
    public static func offline(_ content: [UInt8]) -> FrontUnavailable {
        FrontUnavailable(status: 503, contentType: "text/html; charset=utf-8", body: content)
    }

    /// 503: the front is shutting down and starts nothing new.
    public static func shuttingDown() -> FrontUnavailable {
        page(status: 503, title: "503 Service Unavailable", body: "<p>The server is shutting down.</p>\n")
    }

    static func page(status: Int, title: String, body: String) -> FrontUnavailable {
        let html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(title)</title></head>
            <body>
            <h1>\(title)</h1>
            \(body)</body></html>

            """
        return FrontUnavailable(status: status, contentType: "text/html; charset=utf-8", body: Array(html.utf8))
    }

    /// Escapes text for HTML element content and attribute values.
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }
}
