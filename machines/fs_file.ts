// The VFS around a device-DAX node (fs/char_dev.c, fs/file_table.c, fs/open.c at v4.12, the
// environment of the seed; kernel-semantics.md §8): chrdev_open takes a cdev reference and calls
// dax_open; close drops the fd's reference to the file; the file's last fput calls dax_release
// and drops the cdev reference, which can release the dev_dax (device.ts).
import { cdev_put } from './device.ts';
import { dax_open, dax_release } from './device_file.ts';
import type { FileRecord } from './file.ts';
import type { Kernel } from './kernel.ts';
import type { Ret } from './outcome.ts';
import type { ObjId } from './records.ts';
import type { NullBinding } from './state.ts';
import { daxMemory } from './super.ts';

/** chrdev_open → dax_open: always 0 once the node exists; private_data may be NULL. */
export function chrdev_open(k: Kernel, fd: string, devName: string): Ret {
  k.claim(fd, ['event', 'fd']);
  // The kernel name, or the /dev node that carries it (daxlog ruling 9).
  const name = devName.startsWith('/dev/') ? devName.slice(5) : devName;
  const dev = k.s.nodes[name];
  if (dev === undefined) {
    k.hit('chrdev_open:no_node');
    k.bindNull('file', fd, '-ENOENT');
    return '-ENOENT';
  }
  // cdev_get: the cdev is embedded in the dax_device's inode.
  const dax = k.obj(dev, 'dev_dax').context.dax;
  daxMemory(k, dax, 'cdev_get() in chrdev_open()');
  k.send(dev, { type: 'dev_dax.cdev_get' });
  const priv = dax_open(k, dev);
  k.create('file', fd, { dev: name, devdax: dev, dax, private: priv });
  return 0;
}

/** close(fd): -EBADF unless open; the file is released unless a mapping still holds it. */
export function filp_close(k: Kernel, f: ObjId | NullBinding): Ret {
  if (typeof f !== 'number' || k.obj(f, 'file').value === 'closed') {
    k.hit('close:ebadf');
    return '-EBADF';
  }
  const file = k.send(f, { type: 'file.close' }, 'file');
  if (file.context.fcount === 0) release_file(k, file);
  else k.hit('close:mapping_holds_file');
  return 0;
}

/** The last fput: dax_release, then the cdev reference goes. */
function release_file(k: Kernel, f: FileRecord): void {
  dax_release(k, f.context.private);
  cdev_put(k, f.context.devdax);
}

/** fput of a reference a mapping held; the last one releases the file. */
export function fput(k: Kernel, f: ObjId): void {
  const file = k.send(f, { type: 'file.put' }, 'file');
  if (file.context.fcount === 0) release_file(k, file);
}
