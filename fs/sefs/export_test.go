package sefs

// Abandon drops the layer as a crash would: nothing more is written, the
// database is closed without a commit.
func (fs *FileSystem) Abandon() { fs.release() }

// ObjectName is the base name of a file's objects.
func ObjectName(fs *FileSystem, ino uint64) string { return fs.keys.objectName(ino, 0) }
