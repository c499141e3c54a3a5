#!/usr/bin/python3
"""A FUSE file system that loses what was not fsynced: a power cut in userspace (test support).

    lazyfs.py BACKING_DIR MOUNTPOINT

Every file operation passes through to BACKING_DIR, except file *data*: a write() is kept in this
process's memory and reaches the backing file only when the file is fsynced (fsync or fdatasync).
Reads see the pending writes, so to every program the mount behaves like an ordinary file system.
Killing this process with SIGKILL is the power cut: every write not yet fsynced is gone, exactly what
a disk with a volatile write cache loses, and the backing directory keeps only what was synced.
(Unmount the dead mount with `fusermount3 -u -z MOUNTPOINT`, then mount it again to read.)

Why this and not device-mapper's `flakey` target: the machines Wharf is tested on run a kernel
without device-mapper (no /dev/mapper/control, no loadable modules), while FUSE is there. LazyFS, the
tool etcd's robustness tests use for the same purpose, works the same way (a FUSE layer that drops
unsynced data); it is not packaged by Debian, so this is a small equivalent on Debian's python3-llfuse.

What it models and what it does not: data written but not fsynced is lost. Metadata (create, unlink,
rename, truncate, directory entries) is applied at once, i.e. treated as synced — a real power cut can
also lose an unsynced directory entry; SQLite fsyncs the directory after creating its WAL anyway.
"""
import errno
import os
import stat
import sys

import llfuse
from llfuse import FUSEError


class LazyFS(llfuse.Operations):
    def __init__(self, root):
        super().__init__()
        self.root = root
        self.paths = {llfuse.ROOT_INODE: root}  # our inode -> backing path
        self.inodes = {root: llfuse.ROOT_INODE}  # backing path -> our inode
        self.next_inode = llfuse.ROOT_INODE + 1
        self.handles = {}  # fh -> (fd, inode)
        self.next_fh = 1
        self.pending = {}  # inode -> [(offset, bytes)] written but not fsynced, in write order

    # -- inode bookkeeping -------------------------------------------------------------------
    def _inode(self, path):
        ino = self.inodes.get(path)
        if ino is None:
            ino = self.next_inode
            self.next_inode += 1
            self.inodes[path] = ino
            self.paths[ino] = path
        return ino

    def _path(self, inode):
        try:
            return self.paths[inode]
        except KeyError:
            raise FUSEError(errno.ENOENT)

    def _child(self, parent, name):
        return os.path.join(self._path(parent), os.fsdecode(name))

    def _forget_path(self, path):
        ino = self.inodes.pop(path, None)
        if ino is not None:
            self.paths.pop(ino, None)
            self.pending.pop(ino, None)

    def _pending_end(self, inode):
        return max((off + len(b) for off, b in self.pending.get(inode, ())), default=0)

    def _attrs(self, path, inode):
        try:
            st = os.lstat(path)
        except OSError as e:
            raise FUSEError(e.errno)
        e = llfuse.EntryAttributes()
        e.st_ino = inode
        e.generation = 0
        e.entry_timeout = 0
        e.attr_timeout = 0
        e.st_mode = st.st_mode
        e.st_nlink = st.st_nlink
        e.st_uid = st.st_uid
        e.st_gid = st.st_gid
        e.st_rdev = st.st_rdev
        e.st_size = max(st.st_size, self._pending_end(inode)) if stat.S_ISREG(st.st_mode) else st.st_size
        e.st_blksize = 4096
        e.st_blocks = (e.st_size + 511) // 512
        e.st_atime_ns = st.st_atime_ns
        e.st_mtime_ns = st.st_mtime_ns
        e.st_ctime_ns = st.st_ctime_ns
        return e

    # -- metadata: passed through at once -----------------------------------------------------
    def lookup(self, parent_inode, name, ctx=None):
        if name == b'.':
            path = self._path(parent_inode)
        elif name == b'..':
            path = os.path.dirname(self._path(parent_inode)) if parent_inode != llfuse.ROOT_INODE else self.root
        else:
            path = self._child(parent_inode, name)
        return self._attrs(path, self._inode(path))

    def getattr(self, inode, ctx=None):
        return self._attrs(self._path(inode), inode)

    def setattr(self, inode, attr, fields, fh, ctx):
        path = self._path(inode)
        try:
            if fields.update_size:
                os.truncate(path, attr.st_size)
                kept = []
                for off, b in self.pending.get(inode, ()):
                    if off < attr.st_size:
                        kept.append((off, b[: attr.st_size - off]))
                self.pending[inode] = kept
            if fields.update_mode:
                os.chmod(path, stat.S_IMODE(attr.st_mode))
            if fields.update_uid or fields.update_gid:
                os.chown(path, attr.st_uid if fields.update_uid else -1, attr.st_gid if fields.update_gid else -1)
            if fields.update_atime or fields.update_mtime:
                st = os.lstat(path)
                os.utime(path, ns=(attr.st_atime_ns if fields.update_atime else st.st_atime_ns,
                                   attr.st_mtime_ns if fields.update_mtime else st.st_mtime_ns))
        except OSError as e:
            raise FUSEError(e.errno)
        return self.getattr(inode)

    def readlink(self, inode, ctx):
        return os.fsencode(os.readlink(self._path(inode)))

    def opendir(self, inode, ctx):
        return inode

    def readdir(self, inode, off):
        path = self._path(inode)
        names = sorted(os.listdir(path))
        for i, name in enumerate(names[off:], start=off):
            child = os.path.join(path, name)
            try:
                attrs = self._attrs(child, self._inode(child))
            except FUSEError:
                continue
            yield (os.fsencode(name), attrs, i + 1)

    def releasedir(self, fh):
        pass

    def fsyncdir(self, fh, datasync):
        fd = os.open(self._path(fh), os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def mkdir(self, parent_inode, name, mode, ctx):
        path = self._child(parent_inode, name)
        try:
            os.mkdir(path, mode)
        except OSError as e:
            raise FUSEError(e.errno)
        return self._attrs(path, self._inode(path))

    def mknod(self, parent_inode, name, mode, rdev, ctx):
        path = self._child(parent_inode, name)
        try:
            os.mknod(path, mode, rdev)
        except OSError as e:
            raise FUSEError(e.errno)
        return self._attrs(path, self._inode(path))

    def symlink(self, parent_inode, name, target, ctx):
        path = self._child(parent_inode, name)
        try:
            os.symlink(os.fsdecode(target), path)
        except OSError as e:
            raise FUSEError(e.errno)
        return self._attrs(path, self._inode(path))

    def unlink(self, parent_inode, name, ctx):
        path = self._child(parent_inode, name)
        try:
            os.unlink(path)
        except OSError as e:
            raise FUSEError(e.errno)
        self._forget_path(path)

    def rmdir(self, parent_inode, name, ctx):
        path = self._child(parent_inode, name)
        try:
            os.rmdir(path)
        except OSError as e:
            raise FUSEError(e.errno)
        self._forget_path(path)

    def rename(self, parent_old, name_old, parent_new, name_new, ctx):
        old, new = self._child(parent_old, name_old), self._child(parent_new, name_new)
        try:
            os.rename(old, new)
        except OSError as e:
            raise FUSEError(e.errno)
        self._forget_path(new)
        ino = self.inodes.pop(old, None)
        if ino is not None:
            self.inodes[new] = ino
            self.paths[ino] = new

    def statfs(self, ctx):
        s = os.statvfs(self.root)
        out = llfuse.StatvfsData()
        for attr in ('f_bsize', 'f_frsize', 'f_blocks', 'f_bfree', 'f_bavail', 'f_files', 'f_ffree', 'f_favail', 'f_namemax'):
            setattr(out, attr, getattr(s, attr))
        return out

    def access(self, inode, mode, ctx):
        return True

    # -- data: held until fsync ---------------------------------------------------------------
    def open(self, inode, flags, ctx):
        path = self._path(inode)
        try:
            fd = os.open(path, os.O_RDWR)
        except OSError:
            try:
                fd = os.open(path, os.O_RDONLY)
            except OSError as e:
                raise FUSEError(e.errno)
        if flags & os.O_TRUNC:
            os.ftruncate(fd, 0)
            self.pending[inode] = []
        fh = self.next_fh
        self.next_fh += 1
        self.handles[fh] = (fd, inode)
        return fh

    def create(self, parent_inode, name, mode, flags, ctx):
        path = self._child(parent_inode, name)
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | (flags & (os.O_EXCL | os.O_TRUNC)), mode)
        except OSError as e:
            raise FUSEError(e.errno)
        inode = self._inode(path)
        self.pending[inode] = []
        fh = self.next_fh
        self.next_fh += 1
        self.handles[fh] = (fd, inode)
        return fh, self._attrs(path, inode)

    def read(self, fh, off, size):
        fd, inode = self.handles[fh]
        logical = max(os.fstat(fd).st_size, self._pending_end(inode))
        end = min(off + size, logical)
        if end <= off:
            return b''
        buf = bytearray(os.pread(fd, end - off, off))
        buf.extend(b'\0' * (end - off - len(buf)))
        for woff, data in self.pending.get(inode, ()):
            lo, hi = max(woff, off), min(woff + len(data), end)
            if lo < hi:
                buf[lo - off:hi - off] = data[lo - woff:hi - woff]
        return bytes(buf)

    def write(self, fh, off, buf):
        _, inode = self.handles[fh]
        self.pending.setdefault(inode, []).append((off, bytes(buf)))
        return len(buf)

    def fsync(self, fh, datasync):
        fd, inode = self.handles[fh]
        for off, data in self.pending.get(inode, ()):
            os.pwrite(fd, data, off)
        os.fsync(fd)
        self.pending[inode] = []

    def flush(self, fh):
        pass  # close() promises nothing about durability

    def release(self, fh):
        fd, _ = self.handles.pop(fh)
        os.close(fd)

    def forget(self, inode_list):
        pass  # inodes stay mapped for the life of the mount


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: lazyfs.py BACKING_DIR MOUNTPOINT')
    root, mountpoint = os.path.abspath(sys.argv[1]), sys.argv[2]
    fs = LazyFS(root)
    options = set(llfuse.default_options)
    options.add('fsname=wharf-lazyfs')
    options.discard('default_permissions')
    llfuse.init(fs, mountpoint, options)
    print('mounted', flush=True)
    try:
        llfuse.main(workers=1)
    finally:
        llfuse.close(unmount=True)


if __name__ == '__main__':
    main()
