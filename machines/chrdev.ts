// Opening and closing /dev/daxR.N at 7b6be8444e0f (kernel-semantics.md §8): chrdev_open takes a
// cdev reference and calls dax_open, which copies dax_get_private(dax_dev) into
// filp->private_data (NULL after a kill) and always succeeds; the last fput of the file calls
// dax_release and drops the cdev reference, which can release the dev_dax (device.ts).
import type { Actor } from 'xstate';
import { cdev_put, type DevDax } from './device.ts';
import { fileMachine } from './file.ts';
import type { Kernel } from './kernel.ts';
import { KObject, NullObject } from './objects.ts';
import type { Ret } from './outcome.ts';
import { daxMemory, type DaxDevice } from './super.ts';

export class OpenFile extends KObject<typeof fileMachine> {
  constructor(
    handle: string,
    actor: Actor<typeof fileMachine>,
    /** The device whose cdev the file holds. */
    readonly dev: DevDax,
    /** inode_dax(inode): f_mapping is this dax inode's address space. */
    readonly dax: DaxDevice,
    /** filp->private_data: NULL when dax_open ran after the kill. */
    readonly priv: DevDax | null,
  ) {
    super('file', handle, actor);
  }
  get fcount(): number {
    return this.actor.getSnapshot().context.fcount;
  }
  /** Closed and released by its last fput (no mapping holds it): the struct file is gone. */
  override get live(): boolean {
    return super.live && !(this.state === 'closed' && this.fcount === 0);
  }
}

/** chrdev_open → dax_open: always 0 once the node exists; private_data may be NULL. */
export function chrdev_open(k: Kernel, fd: string, devName: string): Ret {
  k.claim(fd, ['event', 'fd']);
  // The kernel name, or the /dev node that carries it (daxlog ruling 9).
  const name = devName.startsWith('/dev/') ? devName.slice(5) : devName;
  const dev = k.nodes.get(name);
  if (dev === undefined) {
    k.hit('chrdev_open:no_node');
    k.bindNull('file', fd, '-ENOENT');
    return '-ENOENT';
  }
  // cdev_get: the cdev is embedded in the dax_device's inode.
  const dax = daxMemory(k, dev.dax, 'cdev_get() in chrdev_open()');
  k.send(dev, { type: 'dev_dax.cdev_get' });
  const priv = dax.ctx.private === null ? null : dev;
  k.hit(priv === null ? 'dax_open:private_null' : 'dax_open:ok');
  if (priv !== null) k.printk('debug', `dax ${dev.name}: dax_open`);
  const actor = k.actor(fileMachine, fd, { dev: name, private: priv?.label ?? null });
  k.adopt(new OpenFile(fd, actor, dev, dev.dax, priv));
  return 0;
}

export function file_close(k: Kernel, f: OpenFile | NullObject): Ret {
  if (f instanceof NullObject || f.state === 'closed') {
    k.hit('close:ebadf');
    return '-EBADF';
  }
  k.send(f, { type: 'file.close' });
  if (f.fcount === 0) release_file(k, f);
  else k.hit('close:mapping_holds_file');
  return 0;
}

/** The last fput: dax_release, then the cdev reference goes. */
function release_file(k: Kernel, f: OpenFile): void {
  k.hit('dax_release');
  if (f.priv !== null) k.printk('debug', `dax ${f.priv.name}: dax_release`);
  cdev_put(k, f.dev);
}

/** fput of a reference a mapping held; the last one releases the file. */
export function fput(k: Kernel, f: OpenFile): void {
  k.send(f, { type: 'file.put' });
  if (f.fcount === 0) release_file(k, f);
}
