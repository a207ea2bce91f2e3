#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The device and inode numbers of a file, which tell the file itself apart from its path.
///
/// A store file restored from a backup is written under a temporary name and renamed over
/// the path, or its folder is replaced, so the path then names a new inode. An open SQLite
/// connection goes on reading and writing the old inode, even after it is unlinked.
struct FileIdentity: Hashable, Sendable {
    let device: UInt64
    let inode: UInt64

    /// The outcome of `stat(2)` on a path.
    enum Lookup: Equatable, Sendable {
        case found(FileIdentity)
        /// `ENOENT` or `ENOTDIR`: nothing exists at the path.
        case missing
        /// Another error, such as `EACCES`, with its `errno`. The caller cannot tell
        /// whether the file changed.
        case failed(errno: Int32)
    }

    /// Calls `stat(2)` on `path`: one system call, and no file is opened.
    static func lookUp(_ path: String) -> Lookup {
        var status = stat()
        guard stat(path, &status) == 0 else {
            let code = errno
            return code == ENOENT || code == ENOTDIR ? .missing : .failed(errno: code)
        }
        return .found(FileIdentity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino)))
    }
}
