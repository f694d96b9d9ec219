package sefs

// Abandon drops the layer as a crash would: nothing more is written, the
// database is closed without a commit.
func (fs *FileSystem) Abandon() {
	fs.mu.Lock()
	fs.closed = true
	if fs.stop != nil {
		close(fs.stop)
		fs.ticker.Stop()
	}
	for _, in := range fs.inodes {
		in.closeObjects()
	}
	for _, in := range fs.removed {
		in.closeObjects()
	}
	fs.mu.Unlock()
	fs.store.close()
}

// ObjectName is the base name of a file's objects.
func ObjectName(fs *FileSystem, ino uint64) string { return fs.keys.objectName(ino, 0) }
