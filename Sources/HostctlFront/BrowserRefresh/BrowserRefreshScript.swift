/// What the browser gets: the tag put into HTML pages, and the script it loads, which
/// listens to the front's event stream and reloads the page, or shows a problem over it.
enum BrowserRefreshScript {
    /// The tag for a page served while the app was at `version` (the count of swaps): the
    /// script passes it on to the event stream, which tells a page served by a run that has
    /// been replaced meanwhile to reload at once.
    static func tag(version: Int) -> [UInt8] {
        Array("<script src=\"\(BrowserRefresh.scriptPath)?v=\(version)\"></script>".utf8)
    }

    /// Loads once per page (a page with the tag twice connects once). Events: `reload`;
    /// `problem`, whose data is a title line and detail lines, shown in an overlay (text
    /// only: nothing from the compiler is ever parsed as HTML).
    static let source = #"""
        (() => {
          if (window.__hostctlWatch) return;
          window.__hostctlWatch = true;
          const script = document.currentScript;
          const version = script ? new URL(script.src).searchParams.get("v") || "0" : "0";
          const events = new EventSource("\#(BrowserRefresh.eventsPath)?v=" + encodeURIComponent(version));
          events.addEventListener("reload", () => location.reload());
          events.addEventListener("problem", (event) => {
            const [title, ...details] = event.data.split("\n");
            let overlay = document.getElementById("hostctl-watch-problem");
            if (!overlay) {
              overlay = document.createElement("div");
              overlay.id = "hostctl-watch-problem";
              overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;padding:2em;"
                + "background:rgba(24,24,28,.94);color:#f4f4f5;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace";
              overlay.addEventListener("click", () => overlay.remove());
              document.documentElement.appendChild(overlay);
            }
            overlay.replaceChildren();
            const heading = document.createElement("div");
            heading.style.cssText = "color:#f87171;font-weight:bold;margin-bottom:1em";
            heading.textContent = title;
            const text = document.createElement("pre");
            text.style.cssText = "white-space:pre-wrap;margin:0";
            text.textContent = details.join("\n");
            const hint = document.createElement("div");
            hint.style.cssText = "opacity:.6;margin-top:1.5em";
            hint.textContent = "hostctl watch: the page reloads once a build succeeds. Click to hide.";
            overlay.append(heading, text, hint);
          });
        })();

        """#
}
