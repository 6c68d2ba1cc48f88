import FuzzSupport
import ProceedsGraph

// `trace run`'s reader of bitcoin-etl `transactions` JSON Lines, through a file path as `trace` gives it.
fuzz { data, size in
    InputFile.withFile(data, size, suffix: ".json") { _ = try? BitcoinETLImporter.load([$0]) }
    return 0
}
