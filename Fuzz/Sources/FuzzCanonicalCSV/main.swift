import FuzzSupport
import ProceedsGraph

// `trace`'s ledger import of the canonical format, through a file path as `trace` gives it.
fuzz { data, size in
    InputFile.withFile(data, size, suffix: ".csv") { _ = try? LedgerImporter.load([$0], format: .canonical) }
    return 0
}
