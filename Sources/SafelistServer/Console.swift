import Foundation

/// Unbuffered standard output: a supervisor or test reading the pipe sees each line at once.
public enum Console {
    @Sendable public static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
