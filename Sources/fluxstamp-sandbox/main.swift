import Foundation

// The sandbox is being built (issue 5): until then it says so.
FileHandle.standardError.write(Data("fluxstamp-sandbox: not built yet\n".utf8))
exit(1)
