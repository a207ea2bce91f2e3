import Foundation
import StorefleetApp

exit(StorefleetCommand.run(Array(CommandLine.arguments.dropFirst())))
