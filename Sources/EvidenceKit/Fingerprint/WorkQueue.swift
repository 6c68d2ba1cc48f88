import Foundation

/// A blocking first-in-first-out queue between the tree walker and the worker threads.
///
/// `@unchecked Sendable`: every access to `items` and `closed` happens with `condition` locked.
final class WorkQueue<Element>: @unchecked Sendable {
    private var items: [Element] = []
    private var head = 0
    private var closed = false
    private let condition = NSCondition()
    /// How many items may wait at once; `push` blocks while that many do.
    private let capacity: Int
    /// Whether `push` is waiting for room. It is woken only once the queue has drained to half its capacity, so
    /// that the walker and the workers do not hand the processor back and forth for every file.
    private var pusherWaiting = false

    init(capacity: Int = .max) { self.capacity = max(1, capacity) }

    func push(_ item: Element) {
        condition.lock()
        while items.count - head >= capacity && !closed {
            pusherWaiting = true
            condition.wait()
        }
        items.append(item)
        condition.signal()
        condition.unlock()
    }

    /// No more items will come; waiting workers wake and finish.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next item, waiting for one; `nil` once the queue is closed and empty.
    func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count && !closed { condition.wait() }
        guard head < items.count else { return nil }
        let item = items[head]
        head += 1
        if pusherWaiting && (items.count - head) * 2 <= capacity {
            pusherWaiting = false
            condition.broadcast()
        }
        if head > 4096 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return item
    }

    /// Whether the walk has finished and every item has been taken: the other workers are about to go idle.
    var isDrained: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed && head == items.count
    }
}
