// `trace`'s ledger import of the mt940 format, through a file path as `trace` gives it.
import FuzzSupport
@_spi(Fuzzing) import ProceedsGraph

fuzz { data, size in
    InputFile.withFile(data, size, suffix: ".sta") { ImportFuzzing.read($0, as: .mt940) }
    return 0
}
