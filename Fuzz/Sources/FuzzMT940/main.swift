import FuzzSupport
import ProceedsGraph

// `trace`'s ledger import of the mt940 format, through a file path as `trace` gives it.
fuzz { data, size in
    InputFile.withFile(data, size, suffix: ".sta") { _ = try? LedgerImporter.load([$0], format: .mt940) }
    return 0
}
