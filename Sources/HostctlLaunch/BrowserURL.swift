/// The address `launchBrowser` opens.
public enum BrowserURL {
    /// `launchUrl` when absolute; otherwise `launchUrl` under `base` (the first application
    /// URL, as Visual Studio resolves it). Wildcard hosts become `localhost`, which a browser can reach.
    public static func make(base: String, launchUrl: String?) -> String {
        if let launchUrl, launchUrl.contains("://") { return launchUrl }
        var root = reachable(base)
        while root.hasSuffix("/") { root.removeLast() }
        guard let launchUrl, !launchUrl.isEmpty else { return root + "/" }
        return root + "/" + launchUrl.drop { $0 == "/" }
    }

    static func reachable(_ url: String) -> String {
        guard let schemeEnd = url.firstRange(of: "://") else { return url }
        let afterScheme = url[schemeEnd.upperBound...]
        let hostEnd = afterScheme.firstIndex { $0 == ":" || $0 == "/" } ?? afterScheme.endIndex
        var host = String(afterScheme[..<hostEnd])
        if host.hasPrefix("[") { // IPv6: the port colon is after the bracket
            let bracketEnd = afterScheme.firstIndex(of: "]").map { afterScheme.index(after: $0) } ?? afterScheme.endIndex
            host = String(afterScheme[..<bracketEnd])
            let rest = afterScheme[bracketEnd...]
            let replaced = ["[::]"].contains(host) ? "localhost" : host
            return String(url[..<schemeEnd.upperBound]) + replaced + rest
        }
        let replaced = ["*", "+", "0.0.0.0", ""].contains(host) ? "localhost" : host
        return String(url[..<schemeEnd.upperBound]) + replaced + afterScheme[hostEnd...]
    }
}
