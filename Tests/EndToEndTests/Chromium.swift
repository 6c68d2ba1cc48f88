import Foundation
import Testing

/// Renders a page in headless Chromium (Debian's `chromium`, which `make test` installs) the way a person opens
/// it, and reads back what was drawn: the boxes of every SVG text and shape, the elements whose text runs out
/// of them, and what the page wrote to the console.
enum Chromium {
    static let binary = "/usr/bin/chromium"

    struct RenderError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Where screenshots go: under `.build/`, out of git.
    static var screenshots: URL {
        CLI.packageRoot.appendingPathComponent(".build/report-screenshots")
    }

    struct Box: Decodable, CustomStringConvertible {
        var l: Double
        var t: Double
        var r: Double
        var b: Double

        func overlaps(_ o: Box, by slack: Double = 0.5) -> Bool {
            min(r, o.r) - max(l, o.l) > slack && min(b, o.b) - max(t, o.t) > slack
        }

        func contains(_ o: Box, slack: Double = 0.5) -> Bool {
            o.l >= l - slack && o.r <= r + slack && o.t >= t - slack && o.b <= b + slack
        }

        var description: String { "[\(Int(l)),\(Int(t))–\(Int(r)),\(Int(b))]" }
    }

    /// One SVG text element: its box, its text, and the shape of the group it belongs to (when it is in a group
    /// with a shape: a box it is meant to sit in).
    struct SVGText: Decodable {
        var box: Box
        var text: String
        var group: Int?
    }

    /// A shape (rect, ellipse, polygon) and the group it is in.
    struct Shape: Decodable {
        var box: Box
        var group: Int
        var title: String
        var text: String

        /// What a reader calls the box: its title (an account id), else its text.
        var name: String { title.isEmpty ? text : title }
    }

    struct Geometry: Decodable {
        var texts: [SVGText]
        var shapes: [Shape]
        var overflowing: [String]
        var console: [String] = []
        var screenshot = ""

        private enum CodingKeys: String, CodingKey { case texts, shapes, overflowing }

        /// What a reader would see as wrong: overlapping labels or boxes, text outside its box, text running out
        /// of an HTML element, and console messages.
        var problems: [String] {
            var p: [String] = []
            for (i, a) in texts.enumerated() {
                for b in texts[(i + 1)...] where a.box.overlaps(b.box) {
                    p.append("text '\(a.text)' \(a.box) overlaps text '\(b.text)' \(b.box)")
                }
                for s in shapes where s.group != a.group && s.box.overlaps(a.box) {
                    p.append("text '\(a.text)' \(a.box) overlaps the box of '\(s.name)' \(s.box)")
                }
                if let g = a.group, let own = shapes.first(where: { $0.group == g }), !own.box.contains(a.box) {
                    p.append("text '\(a.text)' \(a.box) runs out of its box \(own.box)")
                }
            }
            for (i, a) in shapes.enumerated() {
                for b in shapes[(i + 1)...] where a.group != b.group && a.box.overlaps(b.box) {
                    p.append("box '\(a.name)' \(a.box) overlaps box '\(b.name)' \(b.box)")
                }
            }
            p += overflowing.map { "text runs out of its element: \($0)" }
            p += console.map { "console: \($0)" }
            return p
        }
    }

    /// Appended to a copy of the page before `</body>`: writes the geometry into the DOM as JSON, where
    /// `--dump-dom` reads it. The page itself has no script; this one is the test's.
    static let probe = #"""
        <script>
        (function () {
          function box(e) { var r = e.getBoundingClientRect(); return {l: r.left, t: r.top, r: r.right, b: r.bottom}; }
          var groups = [], shapes = [], texts = [];
          document.querySelectorAll('svg rect, svg ellipse, svg polygon').forEach(function (s) {
            if (s.closest('defs, marker')) return;
            var g = s.parentNode, i = groups.indexOf(g);
            if (i < 0) { groups.push(g); i = groups.length - 1; }
            var title = g.querySelector('title');
            var text = [].map.call(g.querySelectorAll('text'), function (t) { return t.textContent; }).join(' ');
            shapes.push({box: box(s), group: i, title: title ? title.textContent : '', text: text});
          });
          document.querySelectorAll('svg text').forEach(function (t) {
            var i = groups.indexOf(t.parentNode);
            texts.push({box: box(t), text: t.textContent, group: i < 0 ? null : i});
          });
          var overflowing = [];
          document.querySelectorAll('body *').forEach(function (e) {
            if (e.closest('svg') || e.tagName === 'SCRIPT' || e.id === 'iproceeds-geometry') return;
            var style = getComputedStyle(e);
            if (style.display === 'inline' || style.display === 'none') return;
            if (e.scrollWidth > e.clientWidth + 1 && style.overflowX !== 'auto' && style.overflowX !== 'scroll') {
              overflowing.push(e.tagName.toLowerCase() + ' "' + e.textContent.slice(0, 80) + '" (' + e.scrollWidth + ' > ' + e.clientWidth + ')');
            }
          });
          var out = document.createElement('pre');
          out.id = 'iproceeds-geometry';
          out.textContent = JSON.stringify({texts: texts, shapes: shapes, overflowing: overflowing});
          document.body.appendChild(out);
        })();
        </script>
        """#

    /// Renders `page` (an HTML file) and returns what was drawn; a screenshot goes to `screenshots/NAME.png`.
    static func render(_ page: URL, name: String) throws -> Geometry {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw RenderError(message: "\(binary) is not installed: `make deps` installs it")
        }
        let html = try String(contentsOf: page, encoding: .utf8)
        let probed = page.deletingLastPathComponent().appendingPathComponent("probed-" + page.lastPathComponent)
        try html.replacingOccurrences(of: "</body>", with: probe + "</body>").write(
            to: probed, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: screenshots, withIntermediateDirectories: true)
        let shot = screenshots.appendingPathComponent(name + ".png")
        let profile = page.deletingLastPathComponent().appendingPathComponent("chromium-profile-" + name)
        let r = try CLI.exec(
            "/usr/bin/timeout",
            [
                "60", binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--user-data-dir=" + profile.path, "--enable-logging=stderr", "--v=0", "--window-size=1280,1600",
                "--screenshot=" + shot.path, "--dump-dom", probed.absoluteString,
            ], in: page.deletingLastPathComponent().path)
        guard r.status == 0 else { throw RenderError(message: "chromium exited \(r.status): \(r.stderr.suffix(2000))") }
        guard let start = r.stdout.range(of: "<pre id=\"iproceeds-geometry\">"),
            let end = r.stdout.range(of: "</pre>", range: start.upperBound..<r.stdout.endIndex)
        else {
            throw RenderError(message: "chromium wrote no geometry for \(name): \(r.stderr.suffix(2000))")
        }
        let json = String(r.stdout[start.upperBound..<end.lowerBound])
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&nbsp;", with: "\u{A0}")
            .replacingOccurrences(of: "&amp;", with: "&")
        var g = try JSONDecoder().decode(Geometry.self, from: Data(json.utf8))
        // Chromium logs every console message as INFO:CONSOLE (errors, failed loads, CSP reports alike).
        g.console = r.stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
        g.screenshot = shot.path
        return g
    }
}
