import FuzzSupport
import ProceedsGraph

// `trace`'s ledger import of the camt053 format, through a file path as `trace` gives it.
fuzz { data, size in
    InputFile.withFile(data, size, suffix: ".xml") { _ = try? LedgerImporter.load([$0], format: .camt053) }
    return 0
}
