import Foundation
import IProceedsBase

/// How the trace report's flow diagram is laid out.
package enum DiagramLayout: Sendable, Equatable {
    /// Graphviz's `dot` (the program at this path) places the boxes and routes the edges.
    case graphviz(dot: String)
    /// Columns by distance from where the taint entered, every box sized from its text's measured width.
    case measured

    /// Graphviz's `dot` when it is installed in a usual place, otherwise `.measured`. `IPROCEEDS_DOT` in the
    /// environment overrides the search: a path to `dot`, or `none` for the measured layout.
    package static func automatic(environment: [String: String] = ProcessInfo.processInfo.environment) -> DiagramLayout
    {
        if let chosen = environment["IPROCEEDS_DOT"], !chosen.isEmpty {
            return chosen == "none" ? .measured : .graphviz(dot: chosen)
        }
        let dot = ["/usr/bin/dot", "/usr/local/bin/dot", "/opt/homebrew/bin/dot"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        return dot.map { .graphviz(dot: $0) } ?? .measured
    }
}

/// A diagram of boxes (accounts) and labelled arrows (transfers), drawn as SVG with every label in a box of
/// its own: no label overlaps another label or a box, and no text is cut short (boxes are as wide as their
/// measured text, `DiagramText`).
///
/// Each edge label is laid out as a small box of its own between the two accounts, so that the layout keeps it
/// clear of everything else: Graphviz's `dot` places it like any other node (the text never goes to Graphviz,
/// only the sizes, under generated names), and the measured layout gives labels columns of their own between
/// the accounts' columns.
struct FlowDiagram {
    struct Line {
        var text: String
        var bold = false
    }

    struct Node {
        var title: String
        var lines: [Line]
        var fill: String
        var rounded: Bool
    }

    struct Edge {
        var from: Int
        var to: Int
        var label: String
    }

    struct Rect: Equatable {
        var x: Double
        var y: Double
        var w: Double
        var h: Double
    }

    struct Layout {
        var width: Double
        var height: Double
        var nodes: [Rect]
        var labels: [Rect]
        /// Per edge, the SVG path from the source box to the label box and from the label box to the target.
        var paths: [(in: String, out: String)]
        /// Says how the diagram was laid out, for the note under it.
        var engine: String
    }

    static let fontSize = 11.0
    static let lineHeight = 16.0
    static let padX = 8.0
    static let padY = 7.0
    static let labelPadX = 5.0
    static let labelHeight = 18.0
    static let margin = 20.0

    var nodes: [Node]
    var edges: [Edge]

    func nodeSize(_ n: Node) -> (w: Double, h: Double) {
        let text = n.lines.map { DiagramText.width($0.text, size: Self.fontSize, bold: $0.bold) }.max() ?? 0
        return ((text + 2 * Self.padX + 2).rounded(.up), 2 * Self.padY + Self.lineHeight * Double(n.lines.count))
    }

    func labelSize(_ e: Edge) -> (w: Double, h: Double) {
        ((DiagramText.width(e.label, size: Self.fontSize) + 2 * Self.labelPadX + 2).rounded(.up), Self.labelHeight)
    }

    // MARK: Layout

    func layout(_ engine: DiagramLayout) -> Layout {
        if case .graphviz(let dot) = engine {
            if let l = graphviz(dot) { return l }
            var l = measured()
            l.engine = "Laid out without Graphviz: \(dot) could not lay it out."
            return l
        }
        return measured()
    }

    /// Graphviz `dot -Tplain` on a graph of fixed-size boxes named n0…, l0… (account boxes and label boxes).
    func graphviz(_ dot: String) -> Layout? {
        func inches(_ px: Double) -> String { String(format: "%.4f", px / 72) }
        var g = "digraph flow {\n"
        // Pinned options: the same graph gives the same positions.
        g += "graph [rankdir=LR, nodesep=0.25, ranksep=0.3, splines=true, margin=0, pad=0, ordering=out];\n"
        g += "node [shape=box, fixedsize=true, label=\"\"];\nedge [arrowhead=none];\n"
        for (i, n) in nodes.enumerated() {
            let s = nodeSize(n)
            g += "n\(i) [width=\(inches(s.w)), height=\(inches(s.h))];\n"
        }
        for (i, e) in edges.enumerated() {
            let s = labelSize(e)
            g += "l\(i) [width=\(inches(s.w)), height=\(inches(s.h))];\n"
            g += "n\(e.from) -> l\(i);\nl\(i) -> n\(e.to);\n"
        }
        g += "}\n"
        guard let plain = Self.run(dot, ["-Tplain"], input: Data(g.utf8)) else { return nil }

        var height = 0.0
        var centres: [String: (x: Double, y: Double)] = [:]
        var splines: [String: [(Double, Double)]] = [:]
        for line in plain.split(separator: "\n") {
            let t = line.split(separator: " ").map(String.init)
            guard let kind = t.first else { continue }
            if kind == "graph", t.count >= 4, let h = Double(t[3]) {
                height = h * 72
            } else if kind == "node", t.count >= 4, let x = Double(t[2]), let y = Double(t[3]) {
                centres[t[1]] = (x * 72, y * 72)
            } else if kind == "edge", t.count >= 4, let n = Int(t[3]), t.count >= 4 + 2 * n {
                var points: [(Double, Double)] = []
                for k in 0..<n {
                    guard let x = Double(t[4 + 2 * k]), let y = Double(t[5 + 2 * k]) else { return nil }
                    points.append((x * 72, y * 72))
                }
                splines[t[1] + ">" + t[2]] = points
            }
        }
        // Graphviz's y grows upwards; SVG's downwards.
        func place(_ name: String, _ size: (w: Double, h: Double)) -> Rect? {
            guard let c = centres[name] else { return nil }
            return Rect(
                x: (Self.margin + c.x - size.w / 2).rounded(), y: (Self.margin + height - c.y - size.h / 2).rounded(),
                w: size.w, h: size.h)
        }
        var nodeRects: [Rect] = []
        for (i, n) in nodes.enumerated() {
            guard let r = place("n\(i)", nodeSize(n)) else { return nil }
            nodeRects.append(r)
        }
        var labelRects: [Rect] = []
        var paths: [(in: String, out: String)] = []
        for (i, e) in edges.enumerated() {
            guard let r = place("l\(i)", labelSize(e)), let a = splines["n\(e.from)>l\(i)"],
                let b = splines["l\(i)>n\(e.to)"], a.count >= 4, b.count >= 4
            else { return nil }
            labelRects.append(r)
            func d(_ p: [(Double, Double)]) -> String {
                let q = p.map { (Self.margin + $0.0, Self.margin + height - $0.1) }
                var s = "M\(Self.n(q[0].0)),\(Self.n(q[0].1))"
                var k = 1
                while k + 2 < q.count {
                    s += " C\(Self.n(q[k].0)),\(Self.n(q[k].1)) \(Self.n(q[k + 1].0)),\(Self.n(q[k + 1].1))"
                    s += " \(Self.n(q[k + 2].0)),\(Self.n(q[k + 2].1))"
                    k += 3
                }
                return s
            }
            paths.append((d(a), d(b)))
        }
        let right = (nodeRects + labelRects).map { $0.x + $0.w }.max() ?? 0
        let bottom = (nodeRects + labelRects).map { $0.y + $0.h }.max() ?? 0
        let version = Self.run(dot, ["-V"], input: Data(), stderr: true).map {
            $0.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return Layout(
            width: (right + Self.margin).rounded(.up), height: (bottom + Self.margin).rounded(.up), nodes: nodeRects,
            labels: labelRects, paths: paths,
            engine: "Laid out by Graphviz (\(version ?? "dot")) from the boxes' measured sizes.")
    }

    /// Columns: accounts by their shortest distance from an account nothing flows into, each transfer's label
    /// in a column of its own after its sender's; within a column, boxes stacked in order of the boxes they
    /// connect to on the left (so that arrows cross little), every column as wide as its widest box.
    func measured() -> Layout {
        var into = [Int](repeating: 0, count: nodes.count)
        var outgoing = [[Int]](repeating: [], count: nodes.count)
        for (i, e) in edges.enumerated() {
            into[e.to] += 1
            outgoing[e.from].append(i)
        }
        // Nodes arrive sorted by name; column 0 holds those nothing flows into.
        var column = [Int?](repeating: nil, count: nodes.count)
        var queue = nodes.indices.filter { into[$0] == 0 }
        for s in queue { column[s] = 0 }
        var k = 0
        while k < queue.count {
            let u = queue[k]
            k += 1
            for ei in outgoing[u] where column[edges[ei].to] == nil {
                column[edges[ei].to] = column[u]! + 1
                queue.append(edges[ei].to)
            }
        }
        for i in nodes.indices where column[i] == nil { column[i] = 0 }  // only on cycles nothing enters

        let nodeSizes = nodes.map(nodeSize)
        let labelSizes = edges.map(labelSize)
        let columns = (column.compactMap { $0 }.max() ?? 0) * 2 + 2
        // Items per grid column: account columns at even indices, label columns at odd ones.
        enum Item {
            case node(Int)
            case label(Int)
        }
        var grid = [[Item]](repeating: [], count: columns)
        var order = [Double](repeating: 0, count: nodes.count)  // a node's index within its column
        var labelOrder = [Double](repeating: 0, count: edges.count)
        for c in 0..<columns {
            if c % 2 == 0 {
                let members = nodes.indices.filter { column[$0]! * 2 == c }
                // Barycentre of the labels that point in from the column just before; then by name.
                func key(_ i: Int) -> Double {
                    let from = edges.indices.filter { edges[$0].to == i && column[edges[$0].from]! * 2 + 1 == c - 1 }
                    return from.isEmpty ? .infinity : from.map { labelOrder[$0] }.reduce(0, +) / Double(from.count)
                }
                let sorted = members.map { ($0, key($0)) }.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }
                for (k, m) in sorted.enumerated() { order[m.0] = Double(k) }
                grid[c] = sorted.map { .node($0.0) }
            } else {
                let members = edges.indices.filter { column[edges[$0].from]! * 2 + 1 == c }
                let sorted = members.sorted { a, b in
                    let ka = (order[edges[a].from], edges[a].to)
                    let kb = (order[edges[b].from], edges[b].to)
                    return ka != kb ? ka < kb : a < b
                }
                for (k, m) in sorted.enumerated() { labelOrder[m] = Double(k) }
                grid[c] = sorted.map { .label($0) }
            }
        }
        let gapX = 36.0
        let gapY = 14.0
        func size(_ item: Item) -> (w: Double, h: Double) {
            switch item {
            case .node(let i): return nodeSizes[i]
            case .label(let i): return labelSizes[i]
            }
        }
        let heights = grid.map { col in col.map { size($0).h }.reduce(0, +) + gapY * Double(max(col.count - 1, 0)) }
        let tallest = heights.max() ?? 0
        var nodeRects = [Rect](repeating: Rect(x: 0, y: 0, w: 0, h: 0), count: nodes.count)
        var labelRects = [Rect](repeating: Rect(x: 0, y: 0, w: 0, h: 0), count: edges.count)
        var x = Self.margin
        for (c, col) in grid.enumerated() where !col.isEmpty {
            let width = col.map { size($0).w }.max() ?? 0
            var y = Self.margin + ((tallest - heights[c]) / 2).rounded()
            for item in col {
                let s = size(item)
                switch item {
                case .node(let i): nodeRects[i] = Rect(x: x, y: y, w: s.w, h: s.h)
                // A label sits in the middle of its column.
                case .label(let i): labelRects[i] = Rect(x: x + ((width - s.w) / 2).rounded(), y: y, w: s.w, h: s.h)
                }
                y += s.h + gapY
            }
            x += width + gapX
        }
        func curve(_ ax: Double, _ ay: Double, _ bx: Double, _ by: Double) -> String {
            let bend = max(abs(bx - ax) / 2, 24)
            let cx1 = ax + bend
            let cx2 = bx - bend
            return "M\(Self.n(ax)),\(Self.n(ay)) C\(Self.n(cx1)),\(Self.n(ay)) \(Self.n(cx2)),\(Self.n(by))"
                + " \(Self.n(bx)),\(Self.n(by))"
        }
        var paths: [(in: String, out: String)] = []
        for (i, e) in edges.enumerated() {
            let s = nodeRects[e.from]
            let l = labelRects[i]
            let t = nodeRects[e.to]
            paths.append(
                (
                    curve(s.x + s.w, s.y + s.h / 2, l.x, l.y + l.h / 2),
                    curve(l.x + l.w, l.y + l.h / 2, t.x, t.y + t.h / 2)
                ))
        }
        return Layout(
            width: (x - gapX + Self.margin).rounded(.up), height: (tallest + 2 * Self.margin).rounded(.up),
            nodes: nodeRects, labels: labelRects, paths: paths,
            engine: "Laid out without Graphviz: columns by distance from where the taint entered, boxes sized from "
                + "their text.")
    }

    // MARK: Drawing

    /// The diagram as inline SVG; `layout` says how it was laid out.
    func svg(_ layout: Layout) -> HTML {
        let l = layout
        var s: HTML = """
            <svg xmlns="http://www.w3.org/2000/svg" class="flow" width="\(Self.n(l.width))" height="\(Self.n(l.height))" \
            viewBox="0 0 \(Self.n(l.width)) \(Self.n(l.height))" font-family="DejaVu Sans, sans-serif" font-size="11">
            <defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" \
            orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#555"/></marker></defs>

            """
        for p in l.paths {
            s += "<path d=\"\(p.in)\" fill=\"none\" stroke=\"#777\"/>"
            s += "<path d=\"\(p.out)\" fill=\"none\" stroke=\"#777\" marker-end=\"url(#arrow)\"/>\n"
        }
        for (i, e) in edges.enumerated() {
            let r = l.labels[i]
            s += "<g class=\"edge-label\"><rect x=\"\(Self.n(r.x))\" y=\"\(Self.n(r.y))\" width=\"\(Self.n(r.w))\" "
            s += "height=\"\(Self.n(r.h))\" rx=\"3\" fill=\"#ffffff\" stroke=\"#bbbbbb\"/>"
            s += "<text x=\"\(Self.n(r.x + Self.labelPadX))\" y=\"\(Self.n(r.y + 13))\" fill=\"#333\">"
            s += "\(e.label)</text></g>\n"
        }
        for (i, node) in nodes.enumerated() {
            let r = l.nodes[i]
            s += "<g class=\"node\"><title>\(node.title)</title><rect x=\"\(Self.n(r.x))\" y=\"\(Self.n(r.y))\" "
            s += "width=\"\(Self.n(r.w))\" height=\"\(Self.n(r.h))\" rx=\"\(node.rounded ? 20 : 4)\" "
            s += "fill=\"\(node.fill)\" stroke=\"#444\"/>"
            for (k, line) in node.lines.enumerated() {
                let y = r.y + Self.padY + Self.lineHeight * Double(k) + 12
                s +=
                    line.bold
                    ? "<text x=\"\(Self.n(r.x + Self.padX))\" y=\"\(Self.n(y))\" font-weight=\"bold\">\(line.text)</text>"
                    : "<text x=\"\(Self.n(r.x + Self.padX))\" y=\"\(Self.n(y))\" fill=\"#333\">\(line.text)</text>"
            }
            s += "</g>\n"
        }
        s += "</svg>\n"
        return s
    }

    /// A coordinate with at most one decimal, the same on every machine.
    static func n(_ v: Double) -> String {
        let tenths = Int((v * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        let a = abs(tenths)
        return a % 10 == 0 ? "\(sign)\(a / 10)" : "\(sign)\(a / 10).\(a % 10)"
    }

    /// Runs a program with `input` on its standard input; its standard output (or error) when it exits 0.
    static func run(_ program: String, _ arguments: [String], input: Data, stderr: Bool = false) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = arguments
        let inPipe = Pipe()
        let outPipe = Pipe()
        let errPipe = Pipe()
        p.standardInput = inPipe
        p.standardOutput = outPipe
        p.standardError = errPipe
        do { try p.run() } catch { return nil }
        // Feed the input from another thread so that a large graph cannot fill both pipes at once.
        let writer = Thread {
            inPipe.fileHandleForWriting.write(input)
            try? inPipe.fileHandleForWriting.close()
        }
        writer.start()
        let errorText = LockedText()
        let errReader = Thread { errorText.set(errPipe.fileHandleForReading.readDataToEndOfFile()) }
        errReader.start()
        let out = outPipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let err = errorText.wait()
        guard p.terminationStatus == 0 else { return nil }
        return String(decoding: stderr ? err : out, as: UTF8.self)
    }
}

/// Collects one thread's read for another. `@unchecked Sendable`: every access is under its condition.
private final class LockedText: @unchecked Sendable {
    private let condition = NSCondition()
    private var data: Data?

    func set(_ d: Data) {
        condition.lock()
        data = d
        condition.signal()
        condition.unlock()
    }

    func wait() -> Data {
        condition.lock()
        defer { condition.unlock() }
        while data == nil { condition.wait() }
        return data!
    }
}
