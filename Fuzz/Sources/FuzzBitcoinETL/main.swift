import FuzzSupport
import ProceedsGraph

// `trace run`'s reader of bitcoin-etl `transactions` JSON Lines, through a file path as `trace` gives it.
fuzz { data, size in
    _ = try? BitcoinETLImporter.load([InputFile.write(data, size, suffix: ".json")])
    return 0
}
